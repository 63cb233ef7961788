"""The local model's HTTP server: the router's protocol, for one model, on loopback.

    POST /, /generate_stream, /generate   TGI text generation (/ streams if the body says so)
    POST /v1/chat/completions              OpenAI chat, streamed as chunks ended by `data: [DONE]`
    GET  /health, /info                    200 once the weights are loaded; what TGI's /info tells

While the weights load, generation routes answer 503 with `estimated_time`, like a cold TGI. The
model runs one request at a time: a request that finds it busy waits up to `TURN_WAIT_S`, then gets
429 `overloaded` with `Retry-After: 1`, which the app's retry loop shows as "waiting its turn".

Why a short wait before 429: when the user presses Stop and runs again at once, the old run still
holds the model until the server notices the disconnect and the current token finishes (a few
milliseconds). Half a second absorbs that, so a re-run does not flash a queue notice; it is short
enough that a request really queued behind a long answer is told so promptly, and it keeps no
hidden queue in the server (the app's retry loop, which the user can see and stop, is the queue).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from playground.input.params import MAX_STOP_SEQUENCES
from playground.local import LOCAL_MODEL_NAME
from playground.local import protocol as wire
from playground.local.engine import Generation, LocalEngine, PromptError, Token, Turn
from playground.local.odds import chat_logprobs
from playground.local.stream import GenerationStream

TURN_WAIT_S = 0.5
RETRY_AFTER_S = 1
BUSY_MESSAGE = "The local model is busy with another request"
_log = logging.getLogger(__name__)
Body = TypeVar("Body", bound=BaseModel)


@dataclass
class ModelState:
    """What requests see of the model. The loader thread sets `engine` or `failure`, once."""

    expected_load_s: float
    started: float = field(default_factory=time.monotonic)
    engine: LocalEngine | None = None
    failure: str | None = None

    def estimated_time(self) -> float:
        return round(max(0.5, self.expected_load_s - (time.monotonic() - self.started)), 1)


def create_app(state: ModelState, rng: random.Random | None = None) -> Starlette:
    """The app; `rng` picks the seed of a request that has none (a seeded one makes those repeatable)."""
    routes = LocalModelRoutes(state, rng or random.Random())
    return Starlette(routes=routes.table())


class LocalModelRoutes:
    def __init__(self, state: ModelState, rng: random.Random) -> None:
        self._state = state
        self._rng = rng

    def table(self) -> list[Route]:
        return [
            Route("/", self.text_generation, methods=["POST"]),
            Route("/generate", self.generate, methods=["POST"]),
            Route("/generate_stream", self.generate_stream, methods=["POST"]),
            Route("/v1/chat/completions", self.chat_completions, methods=["POST"]),
            Route("/health", self.health, methods=["GET"]),
            Route("/info", self.info, methods=["GET"]),
        ]

    async def text_generation(self, request: Request) -> Response:
        return await self._text_generation(request, stream=None)

    async def generate(self, request: Request) -> Response:
        return await self._text_generation(request, stream=False)

    async def generate_stream(self, request: Request) -> Response:
        return await self._text_generation(request, stream=True)

    async def chat_completions(self, request: Request) -> Response:
        admitted = await self._admit(request, wire.ChatRequest)
        if isinstance(admitted, Response):
            return admitted
        body, turn = admitted
        generation = _start(turn, lambda: turn.chat(body.message_dicts(), body.to_sampling(self._rng)))
        if isinstance(generation, Response):
            return generation
        ids = wire.ChatIds.new()
        if body.stream:
            return GenerationStream(_chat_events(generation, ids, body.alternatives_listed()), turn)
        return await _collect(turn, generation, lambda _tokens: wire.chat_answer(ids, generation))

    async def health(self, request: Request) -> Response:
        return self._unavailable() or JSONResponse({"status": "ok"})

    async def info(self, request: Request) -> Response:
        engine = self._state.engine
        return JSONResponse(
            {
                "model_id": LOCAL_MODEL_NAME,
                "model_file": engine.model_path.name if engine else None,
                "status": "failed" if self._state.failure else "ready" if engine else "loading",
                "backend": "llama-cpp-python",
                "configuration": engine.note if engine else None,
                "max_concurrent_requests": 1,
                "max_stop_sequences": MAX_STOP_SEQUENCES,
                "max_total_tokens": engine.n_ctx if engine else None,
                "max_input_tokens": engine.n_ctx - 1 if engine else None,
            }
        )

    async def _text_generation(self, request: Request, stream: bool | None) -> Response:
        admitted = await self._admit(request, wire.TextGenerationRequest)
        if isinstance(admitted, Response):
            return admitted
        body, turn = admitted
        parameters = body.parameters
        generation = _start(turn, lambda: turn.complete(body.inputs, parameters.to_sampling(self._rng)))
        if isinstance(generation, Response):
            return generation
        prefix = body.inputs if parameters.return_full_text else ""
        if body.stream if stream is None else stream:
            return GenerationStream(_tgi_events(generation, prefix), turn)
        return await _collect(turn, generation, lambda tokens: wire.tgi_answer(generation, tokens, prefix, parameters.details))

    async def _admit(self, request: Request, model: type[Body]) -> tuple[Body, Turn] | Response:
        """The parsed body and the model's turn, or the answer that refuses the request."""
        unavailable = self._unavailable()
        if unavailable is not None:
            return unavailable
        try:
            body = model.model_validate_json(await request.body())
        except ValidationError as error:
            return _validation_error(error)
        assert self._state.engine is not None  # _unavailable checked it
        turn = await run_in_threadpool(self._state.engine.try_turn, TURN_WAIT_S)
        if turn is None:
            busy = wire.error_body(BUSY_MESSAGE, "overloaded")
            return JSONResponse(busy, status_code=429, headers={"Retry-After": str(RETRY_AFTER_S)})
        return body, turn

    def _unavailable(self) -> Response | None:
        if self._state.failure is not None:
            return JSONResponse({"error": f"The local model failed to load: {self._state.failure}"}, status_code=500)
        if self._state.engine is None:
            loading = {"error": f"Model {LOCAL_MODEL_NAME} is currently loading", "estimated_time": self._state.estimated_time()}
            return JSONResponse(loading, status_code=503)
        return None


def _start(turn: Turn, make: Callable[[], Generation]) -> Generation | Response:
    """The generation, or a 422 (and the turn given back) for a prompt the model cannot take."""
    try:
        return make()
    except PromptError as error:
        turn.release()
        return _validation_error(error)


def _validation_error(error: ValidationError | ValueError) -> Response:
    return JSONResponse(wire.error_body(wire.validation_message(error), "validation"), status_code=422)


async def _collect(turn: Turn, generation: Generation, answer: Callable[[list[Token]], Any]) -> Response:
    """A whole generation as one JSON answer; the turn is given back however it ends."""
    try:
        tokens = await run_in_threadpool(list, generation)
    except Exception as error:  # llama.cpp failing mid-run: reported to the client as TGI does
        _log.exception("local generation failed")
        return JSONResponse(wire.error_body(str(error), "generation"), status_code=500)
    finally:
        turn.release()
    return JSONResponse(answer(tokens))


def _tgi_events(generation: Generation, prefix: str) -> Generator[bytes, None, None]:
    try:
        for index, token in enumerate(generation, start=1):
            yield wire.sse(wire.tgi_token_event(index, token, generation, prefix))
    except Exception as error:  # the 200 is already sent: the failure goes into the stream, as TGI does
        _log.exception("local generation failed")
        yield wire.sse(wire.error_body(str(error), "generation"))
    finally:
        generation.close()


def _chat_events(generation: Generation, ids: wire.ChatIds, listed: int) -> Generator[bytes, None, None]:
    try:
        for token in generation:
            if token.text:  # a half UTF-8 character or the end-of-turn token has no text to show
                yield wire.sse(wire.chat_chunk(ids, token.text, logprobs=chat_logprobs(token, listed)))
        last = wire.chat_chunk(ids, "", wire.chat_finish_reason(generation))
        yield wire.sse({**last, "usage": wire.chat_usage(generation)})
    except Exception as error:  # the 200 is already sent: the failure goes into the stream
        _log.exception("local generation failed")
        yield wire.sse(wire.error_body(str(error), "generation"))
    finally:
        generation.close()
    yield wire.sse("[DONE]")
