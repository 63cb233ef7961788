"""One streamed generation as an HTTP response: the model decodes in its own thread, ahead of the network.

Starlette's `StreamingResponse` pulls a sync iterator one item at a time through the thread pool:
per token the event loop asks a worker thread for the next event and waits for it to come back.
The model sat idle for those two hand-offs and for the send, about 2 ms of a 13 ms token on a
2-CPU host (issue 21), while OpenMP's other thread spun waiting for it. Here the generation runs
straight through in its own thread and hands each event to the loop without waiting: the next
token is decoded while the loop sends this one and the client reads it. Events that pile up while
the loop is busy go out in one write (still one SSE event each on the wire).

    return GenerationStream(events, turn)   # events: the SSE frames, bytes; turn: the model's, held

Nothing here knows the protocol: the frames are made by `server`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Generator

import anyio
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from playground.local.engine import Turn

_END = b""  # the producer's last item: the generation is over (no frame is empty)
_log = logging.getLogger(__name__)


class GenerationStream(StreamingResponse):
    """Streams one generation's frames and hands the model back however the response ends.

    It always watches for the client leaving (the UI's Stop), whatever ASGI version the server
    speaks, so a stopped run frees the model within a token instead of finishing an answer nobody
    reads. Stopping waits for the generating thread's current token: it gives the turn back itself,
    after its last call into llama.cpp, so no thread is inside llama.cpp when the turn is released.
    """

    def __init__(self, events: Generator[bytes, None, None], turn: Turn) -> None:
        super().__init__(self._frames(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
        self._events = events
        self._turn = turn
        self._stop = threading.Event()
        self._producer: threading.Thread | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(self._stream_then_stop_listening, send, group.cancel_scope)
                await self.listen_for_disconnect(receive)
                group.cancel_scope.cancel()
        finally:
            with anyio.CancelScope(shield=True):
                await self._hand_back()

    async def _stream_then_stop_listening(self, send: Send, scope: anyio.CancelScope) -> None:
        await self.stream_response(send)
        scope.cancel()

    async def _hand_back(self) -> None:
        """Stops the generation and waits until the model is given back."""
        self._stop.set()
        if self._producer is None:  # the client left before the first frame: nothing runs the events
            self._events.close()
            self._turn.release()
        else:
            await anyio.to_thread.run_sync(self._producer.join)

    async def _frames(self) -> AsyncIterator[bytes]:
        """What the producer made since the last send, as one chunk, until the end."""
        loop = asyncio.get_running_loop()
        made: asyncio.Queue[bytes] = asyncio.Queue()
        self._producer = threading.Thread(target=self._produce, args=(loop, made), daemon=True, name="local-model-generation")
        self._producer.start()
        while True:
            chunk = [await made.get()]
            while not made.empty():
                chunk.append(made.get_nowait())
            if any(chunk):
                yield b"".join(chunk)
            if chunk[-1] == _END:
                return

    def _produce(self, loop: asyncio.AbstractEventLoop, made: asyncio.Queue[bytes]) -> None:
        """The generating thread: every frame to the loop as it comes, then _END; the turn back last."""
        try:
            for frame in self._events:
                loop.call_soon_threadsafe(made.put_nowait, frame)
                if self._stop.is_set():
                    break
        except Exception:  # the frames report generation errors themselves; this is a bug, not a model failure
            _log.exception("local generation stream failed")
        finally:
            self._events.close()
            self._turn.release()
            with contextlib.suppress(RuntimeError):  # the loop is closed: the server shut down mid-answer
                loop.call_soon_threadsafe(made.put_nowait, _END)
