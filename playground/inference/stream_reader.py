"""Reads a model's stream in a worker thread, so that no server thread ever waits on a socket.

A blocking socket read cannot be interrupted from outside. A run generator that read the stream
itself would hold its server thread for as long as the model stayed silent, and Stop could not
end it: Gradio closes a cancelled generator only between two items, and retries for 60 s while
the generator is "already executing", holding its app lock. Here a daemon thread opens the
stream and iterates it, putting each item on a queue; the run generator takes from the queue in
short ticks, so it reports silence, enforces the timeouts and stops at once.

`close` (Stop, a timeout, the end of the run) also frees the worker: a response hook on
huggingface_hub's shared HTTP client (added through `playground.patches.http_client`, at start-up and
again by each reader in case the client was replaced) records each worker's latest response, and `close` shuts that
response's socket down, so a blocked read returns at once and the server sees the stream closed.
Before the answer's headers have arrived there is no response to find; the worker then ends at
the socket's read timeout, while no server thread waits for it.
"""

from __future__ import annotations

import contextvars
import queue
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

import httpx2

from playground.patches.http_client import add_response_hook

T = TypeVar("T")


@dataclass(frozen=True)
class Ended:
    """The stream's iterator is exhausted."""


@dataclass(frozen=True)
class Failed:
    """Opening or reading the stream raised `error` (in the worker)."""

    error: BaseException


_READER: contextvars.ContextVar[StreamReader | None] = contextvars.ContextVar("playground_stream_reader", default=None)


class StreamReader(Generic[T]):
    """`items` receives each item of `open_stream()`, then Ended or Failed. Start it once; close it
    whenever the consumer stops (closing twice, or after the end, is harmless)."""

    def __init__(self, open_stream: Callable[[], Iterator[T]]) -> None:
        self.items: queue.Queue[T | Ended | Failed] = queue.Queue()
        self._open_stream = open_stream
        self._closed = threading.Event()
        self._response: httpx2.Response | None = None

    def start(self) -> StreamReader[T]:
        watch_responses()
        # The worker runs in a copy of this context, so context variables set by the caller
        # (the run's token scope, for one) hold for the requests it makes.
        context = contextvars.copy_context()
        threading.Thread(target=context.run, args=(self._work,), daemon=True, name="model-stream").start()
        return self

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def close(self) -> None:
        """Stops the worker: no more items, and its socket read (if one is blocked) returns now."""
        if self._closed.is_set():
            return
        self._closed.set()
        response = self._response
        if response is not None and not response.is_closed:
            _shut_down(response)

    def record(self, response: httpx2.Response) -> None:
        self._response = response
        if self._closed.is_set():  # closed while this request was on its way: end it now
            _shut_down(response)

    def _work(self) -> None:
        _READER.set(self)
        try:
            for item in self._open_stream():
                if self._closed.is_set():
                    break
                self.items.put(item)
            self.items.put(Ended())
        except BaseException as error:  # handed to the consumer, who types it; nothing is lost here
            self.items.put(Failed(error))


def record_response(response: httpx2.Response) -> None:
    """Response hook: remembers the response for the stream reader this request is made for (also
    added to the `openai` package's client, for OpenAI-compatible endpoints)."""
    reader = _READER.get()
    if reader is not None:
        reader.record(response)


def watch_responses() -> None:
    """Installs the readers' response hook on huggingface_hub's shared client (again if it was replaced)."""
    add_response_hook(record_response)


def _shut_down(response: httpx2.Response) -> None:
    """Shuts the response's socket down (a close alone does not wake a read blocked in another
    thread); the connection is then broken, and the client drops it from its pool."""
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:  # already closed or never connected: nothing left to wake
            pass
