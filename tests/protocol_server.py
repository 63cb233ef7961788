"""A local server speaking the Hugging Face Hub API, the inference router and TGI, for tests.

One base URL serves all three, so tests point both `HF_ENDPOINT` and the router at it:

    GET  /api/models                                Hub search: search, inference_provider, pipeline_tag,
                                                    expand[] (or expand), limit; mapping as a list;
                                                    a private model only for its readers
    GET  /api/models/{model}                        model info + inferenceProviderMapping
    GET  /v1/models, /v1/models/{model}             router model list / one model, with provider facts
    GET  /api/whoami-v2                             a user account (Gradio's local OAuth mock asks); the
                                                    token's role: "read" for READ_ONLY_TOKEN, else "write"
    POST /api/repos/create                          create a repo (409 if it exists); 403 for READ_ONLY_TOKEN
    POST /api/validate-yaml                         a README's front matter: 400 unless it is a YAML mapping
    POST /api/{type}s/{ns}/{name}/preupload/{rev}   every file "regular" (no LFS)
    POST /api/{type}s/{ns}/{name}/commit/{rev}      NDJSON header + base64 files, kept in `repos`
    POST /hf-inference/models/{model}               TGI text generation (stream or not)
    POST /hf-inference/models/{model}/v1/chat/completions
    POST /v1/chat/completions                       router "auto" chat; model from the body
                                                    (chat routes: `test/think-model` streams `<think>`
                                                    tags, `test/reasoning-model` a `reasoning_content`
                                                    field, `test/json-model` JSON; a last `usage` chunk
                                                    when `stream_options.include_usage` asks for one)
                                                    token probabilities: TGI `top_tokens` for `top_n_tokens`,
                                                    chat `logprobs` for `logprobs`/`top_logprobs`, both
                                                    deterministic (`protocol_answers.PICKED`); the
                                                    `test/no-probs-*` models ignore the request
    POST /{provider}/v1/chat/completions            other providers; model from the body; a model's
                                                    `delays` pace each provider differently
    POST /tgi/{name}, /tgi/{name}/v1/chat/completions, GET /tgi/{name}/info, /health
                                                    a direct TGI endpoint for model `tgi/{name}`
    GET  /openai/{name}/v1/models, POST /openai/{name}/v1/completions, .../v1/chat/completions
                                                    an OpenAI-compatible server as vLLM is: it serves
                                                    one model, `{name}`, answers 404 to any other name,
                                                    400 to TGI's response_format shape, has no TGI route
    anything else                                   404 text/plain

A model added with `readers` is private: the Hub API and inference answer 404 to any other token.
Answers are deterministic (see `tests.protocol_answers.generate`). Failures are scripted per model
with `script(model, Reply(...))`; each POST for that model pops one reply. Precedence for a POST:
bad token (401) > a scripted reply with a status, body or no_answer > unknown model (404) >
gated (403) > a model's refused parameters (400 "model_kwargs are not used", see `add_model`) >
the normal answer, shaped by a scripted reply's headers, token_delay, stream_error, stall_after,
cut_after and reset_after if any.

Run in the foreground with `python -m tests.protocol_server --port 8123 [--token-delay 0.02]`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import json
import re
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
import yaml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    JSONResponse,
    PlainTextResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route

from tests import protocol_answers as answers

BAD_TOKEN = "hf_bad_token"
READ_ONLY_TOKEN = "hf_read_only_token"
# A model three providers serve at different speeds and prices (see `add_bakeoff_model`):
# provider -> (seconds between tokens, USD per 1M output tokens). The router's claims agree in order.
BAKEOFF_MODEL = "test/bakeoff-model"
# Five times apart in speed: the ranking a test reads off measured speeds holds on a loaded machine.
BAKEOFF_PROVIDERS = {"cerebras": (0.01, 0.6), "featherless-ai": (0.05, 0.3), "together": (0.25, 0.9)}
GATED_MESSAGE = (
    "Access to model {model} is restricted. You must have access to it and be authenticated to access it."
    " Please log in."
)
WHOAMI = {"type": "user", "name": "test-user", "fullname": "Test User", "avatarUrl": "", "orgs": []}
# How TGI reports, outside a stream, the errors a scripted stream_error reports inside one.
_ERROR_TYPE_STATUS = {"validation": 422, "overloaded": 429}


@dataclass
class Reply:
    """One scripted answer for the next POST to a model."""

    status: int = 200
    body: dict | str | None = None  # JSON object, or plain text (error replies)
    headers: dict[str, str] = field(default_factory=dict)
    # (after_n_tokens, message, error_type): a 200 stream that sends n tokens then an error event.
    stream_error: tuple[int, str, str] | None = None
    token_delay: float | None = None  # seconds between streamed tokens; None: the server's default
    # A model that goes silent: a 200 stream that sends n tokens (0: only the headers), then
    # nothing, holding the connection open until the client leaves.
    stall_after: int | None = None
    # Accepts the request and sends nothing at all, not even a status, until the client leaves.
    no_answer: bool = False
    # A 200 stream that sends n tokens, then closes cleanly without the final event (TGI's
    # generated_text / the chat finish_reason and [DONE]).
    cut_after: int | None = None
    # A 200 stream that sends n tokens, then resets the TCP connection (an RST, not a clean close),
    # as a crashed proxy or a killed server does.
    reset_after: int | None = None

    @property
    def replaces_answer(self) -> bool:
        return self.status != 200 or self.body is not None or self.no_answer


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-case names
    body: dict | None  # parsed JSON object, else None
    model: str | None = None  # the model the request is about, if the route names one


@dataclass(frozen=True)
class Model:
    pipeline_tag: str
    providers: dict[str, str]  # provider -> task; order matters, the client takes the first
    gated: bool = False
    # Text-generation parameters this model does not take, as a transformers pipeline (not TGI)
    # answers them: 400 "The following `model_kwargs` are not used by the model: [...]".
    refused_params: tuple[str, ...] = ()
    readers: frozenset[str] = frozenset()  # non-empty: a private model, visible only with these tokens
    statuses: dict[str, str] = field(default_factory=dict)  # provider -> live|staging|error (default live)
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)  # provider -> router facts (context_length, ...)
    trending: int = 0  # higher sorts first in a search
    answers: str = "echo"  # chat answers: "echo", "think" (<think> tags), "reasoning" (reasoning_content), "json"
    probabilities: bool = True  # False: ignores top_n_tokens and logprobs, as many providers do
    delays: dict[str, float] = field(default_factory=dict)  # provider -> seconds between streamed tokens

    def status(self, provider: str) -> str:
        return self.statuses.get(provider, "live")


_CHAT = {"hf-inference": "conversational"}
BUILTIN_MODELS = {
    "test/tiny-gpt": Model("text-generation", {"hf-inference": "text-generation"}),
    "test/chat-model": Model("text-generation", {"hf-inference": "conversational", "together": "conversational"}),
    "test/gated-model": Model("text-generation", {"hf-inference": "text-generation"}, gated=True),
    "test/no-probs-model": Model("text-generation", {"hf-inference": "text-generation"}, probabilities=False),
    "test/no-probs-chat": Model("text-generation", {"hf-inference": "conversational"}, probabilities=False),
    "test/think-model": Model("text-generation", _CHAT, answers="think"),
    "test/reasoning-model": Model("text-generation", _CHAT, answers="reasoning"),
    "test/json-model": Model("text-generation", _CHAT, answers="json",
                             facts={"hf-inference": {"context_length": 4096, "pricing": {"input": 1.0, "output": 2.0},
                                                     "supports_structured_output": True}}),
}
ROUTER_FACTS_EXAMPLE = {
    "context_length": 32768, "pricing": {"input": 0.2, "output": 0.6}, "throughput": 85.5,
    "first_token_latency_ms": 420, "supports_tools": True, "supports_structured_output": False,
}  # fmt: skip
_IMPLICIT_TGI_MODEL = Model("text-generation", {"hf-inference": "text-generation"})

Handler = Callable[[Request, str, Any], Awaitable[Response]]


class ProtocolServer:
    """Serves in a daemon thread on 127.0.0.1; `url` is valid after `start()`."""

    def __init__(self, token_delay: float = 0.0) -> None:
        self.token_delay = token_delay
        self._initial_token_delay = token_delay
        self.url = ""
        self.requests: list[RecordedRequest] = []
        self.cancelled_streams = 0  # streams (and no_answer replies) the client left before their end
        self._generation = 0  # bumped by reset(): a connection of an earlier test leaving never counts in this one
        self.stalls = 0  # stall_after / no_answer replies that have gone silent (sent all they will send)
        self.open_streams = 0  # streams being sent right now
        self.peak_open_streams = 0  # the most streams sent at the same time since the last reset
        self._lock = threading.Lock()
        self.repos: dict[str, dict[str, Any]] = {}  # "type/ns/name" -> {"private": bool, "files": {path: bytes}}
        self._models: dict[str, Model] = dict(BUILTIN_MODELS)
        self._models_at_start: dict[str, Model] = dict(BUILTIN_MODELS)
        self._scripts: dict[str, deque[Reply]] = {}
        self._answer_ids = itertools.count(1)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = [
            ("GET", re.compile(r"/api/models/(?P<model>.+?)(?:/revision/[^/]+)?"), self._model_info),
            ("GET", re.compile(r"/v1/models/(?P<model>.+)"), self._router_model),
            ("POST", re.compile(r"/hf-inference/models/(?P<model>.+)/v1/chat/completions"), self._chat),
            ("POST", re.compile(r"/hf-inference/models/(?P<model>.+)"), self._text_generation),
            ("POST", re.compile(r"/tgi/(?P<name>[^/]+)/v1/chat/completions"), self._chat),
            ("POST", re.compile(r"/tgi/(?P<name>[^/]+)"), self._text_generation),
            ("GET", re.compile(r"/tgi/(?P<name>[^/]+)/info"), self._tgi_info),
            ("GET", re.compile(r"/tgi/(?P<name>[^/]+)/health"), self._tgi_health),
            ("GET", re.compile(r"/openai/(?P<served>[^/]+)/v1/models"), self._openai_models),
            ("POST", re.compile(r"/openai/(?P<served>[^/]+)/v1/completions"), self._openai_completion),
            ("POST", re.compile(r"/openai/(?P<served>[^/]+)/v1/chat/completions"), self._openai_chat),
            ("POST", re.compile(r"(?:/[^/]+)?/v1/chat/completions"), self._chat),
        ]

    # ---- control, from the test's thread ---------------------------------------------------

    def start(self, port: int = 0) -> ProtocolServer:
        """Binds the socket here, so the port is known (and taken) before the thread runs."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # proto set: asyncio then turns on TCP_NODELAY for accepted connections
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        app = Starlette(routes=[Route("/{path:path}", self._handle, methods=["GET", "POST", "PUT", "DELETE"])])
        config = uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True, name="protocol-server"
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("protocol server failed to start")
            time.sleep(0.01)
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self._models_at_start = dict(self._models)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def wait(self) -> None:
        """Blocks until the server stops (for running it in the foreground)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout=0.5)

    def add_model(
        self,
        model_id: str,
        pipeline_tag: str = "text-generation",
        providers: dict[str, str] | None = None,
        gated: bool = False,
        refused_params: tuple[str, ...] = (),
        readers: frozenset[str] = frozenset(),
        statuses: dict[str, str] | None = None,
        facts: dict[str, dict[str, Any]] | None = None,
        trending: int = 0,
        answers: str = "echo",
        delays: dict[str, float] | None = None,
    ) -> None:
        """`facts` are what the router's /v1/models lists per provider (any field may be left out);
        `delays` the seconds between streamed tokens per provider (else the server's token_delay)."""
        providers = _default_providers() if providers is None else providers
        model = Model(pipeline_tag, providers, gated, refused_params, readers, statuses or {}, facts or {}, trending, answers,
                      delays=delays or {})
        with self._lock:
            self._models = {**self._models, model_id: model}

    def add_bakeoff_model(self) -> None:
        """BAKEOFF_MODEL, served by BAKEOFF_PROVIDERS at their speeds and prices, with router claims."""
        facts = {provider: {"pricing": {"input": price / 3, "output": price}, "throughput": round(1 / delay),
                            "first_token_latency_ms": 50 + 1000 * delay, "context_length": 8192}
                 for provider, (delay, price) in BAKEOFF_PROVIDERS.items()}
        self.add_model(BAKEOFF_MODEL, providers=dict.fromkeys(BAKEOFF_PROVIDERS, "conversational"), facts=facts,
                       delays={provider: delay for provider, (delay, _) in BAKEOFF_PROVIDERS.items()})

    def script(self, model_id: str, *replies: Reply) -> None:
        with self._lock:
            self._scripts.setdefault(model_id, deque()).extend(replies)

    def reset(self) -> None:
        """Back to the state right after start(): models added before start() stay."""
        with self._lock:
            self._scripts.clear()
            self.requests.clear()
            self._models = dict(self._models_at_start)
            self.token_delay = self._initial_token_delay
            self.cancelled_streams = 0
            self._generation += 1
            self.stalls = 0
            self.peak_open_streams = 0
            self.repos.clear()

    def gets(self, path: str) -> list[RecordedRequest]:
        """GET requests for exactly `path` (query not included), e.g. "/api/models"."""
        with self._lock:
            return [r for r in self.requests if r.method == "GET" and r.path == path]

    def posts(self, model_id: str | None = None) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.method == "POST" and model_id in (None, r.model)]

    # ---- request handling, in the server's event loop --------------------------------------

    async def _handle(self, request: Request) -> Response:
        raw = await request.body()
        body = _json_or_none(raw)
        route = self._route(request.method, request.url.path)
        model = _model_named(route[1], body) if route else None
        recorded = RecordedRequest(
            request.method, request.url.path, request.url.query, dict(request.headers),
            body if isinstance(body, dict) else None, model,
        )  # fmt: skip
        with self._lock:
            self.requests.append(recorded)
        if request.headers.get("authorization") == f"Bearer {BAD_TOKEN}":
            return self._error(
                401, "Invalid username or password.", {"X-Error-Message": "Invalid credentials in Authorization header"}
            )
        if request.method == "GET" and request.url.path == "/api/whoami-v2":
            return self._whoami(request)
        if request.method == "POST" and (hub := self._hub_write(request, body, raw)) is not None:
            return hub
        if request.method == "GET" and request.url.path in ("/api/models", "/v1/models"):
            return self._list_models(request) if request.url.path == "/api/models" else self._router_models(request)
        if route is None or model is None:
            return PlainTextResponse("Not Found", status_code=404)
        return await route[0](request, model, body)

    # ---- the Hub's write API, as HfApi.create_repo and create_commit use it ---------------------

    def _whoami(self, request: Request) -> Response:
        role = "read" if _bearer(request) == READ_ONLY_TOKEN else "write"
        return JSONResponse({**WHOAMI, "auth": {"type": "access_token", "accessToken": {"displayName": "test", "role": role}}})

    def _hub_write(self, request: Request, body: Any, raw: bytes) -> Response | None:
        """create_repo, preupload and commit; None for any other POST."""
        path = request.url.path
        if path == "/api/validate-yaml":
            return _validate_yaml(body.get("content", "") if isinstance(body, dict) else "")
        repo = re.fullmatch(r"/api/(?P<type>datasets|models|spaces)/(?P<repo>[^/]+/[^/]+)/(?P<op>preupload|commit)/[^/]+", path)
        if path != "/api/repos/create" and repo is None:
            return None
        if _bearer(request) in (None, READ_ONLY_TOKEN):
            return self._error(403, "You don't have the rights to create or write to this repo", {"X-Error-Code": "Forbidden"})
        if repo is None:
            return self._create_repo(body if isinstance(body, dict) else {})
        key = f"{repo['type'].rstrip('s')}/{repo['repo']}"
        with self._lock:
            known = self.repos.get(key)
        if known is None:
            return self._error(404, "Repository not found", {"X-Error-Code": "RepoNotFound"})
        if repo["op"] == "preupload":
            files = body.get("files", []) if isinstance(body, dict) else []
            return JSONResponse({"files": [{"path": f["path"], "uploadMode": "regular", "shouldIgnore": False} for f in files]})
        return self._commit(key, known, raw)

    def _create_repo(self, body: dict) -> Response:
        kind, name = body.get("type") or "model", str(body.get("name") or "")
        namespace = body.get("organization") or WHOAMI["name"]
        key, prefix = f"{kind}/{namespace}/{name}", "" if kind == "model" else f"{kind}s/"
        answer = {"url": f"{self.url}/{prefix}{namespace}/{name}", "name": f"{namespace}/{name}"}
        with self._lock:
            if key in self.repos:  # the Hub's 409 carries the URL too; create_repo(exist_ok=True) reads it
                return JSONResponse({"error": "You already created this repo", **answer}, 409)
            self.repos[key] = {"private": body.get("visibility", "private" if body.get("private") else "public") == "private",
                               "files": {}, "commits": 0}
        return JSONResponse(answer)

    def _commit(self, key: str, repo: dict[str, Any], raw: bytes) -> Response:
        """Keeps each NDJSON `file` line's decoded content (the small files a commit sends inline)."""
        for line in raw.decode("utf-8").splitlines():
            item = json.loads(line) if line.strip() else {}
            if item.get("key") == "file":
                value = item["value"]
                with self._lock:
                    repo["files"][value["path"]] = base64.b64decode(value["content"])
        with self._lock:
            repo["commits"] += 1
        kind, repo_id = key.split("/", 1)
        return JSONResponse({"commitUrl": f"{self.url}/{kind}s/{repo_id}/commit/{repo['commits']:040x}",
                             "commitOid": f"{repo['commits']:040x}", "success": True})

    def _route(self, method: str, path: str) -> tuple[Handler, re.Match[str]] | None:
        for route_method, pattern, handler in self._routes:
            if route_method == method and (match := pattern.fullmatch(path)):
                return handler, match
        return None

    def _model(self, model_id: str, request: Request | None = None) -> Model | None:
        """The model as the request's token may see it: a private model is None to non-readers."""
        model = self._models.get(model_id) or (_IMPLICIT_TGI_MODEL if model_id.startswith("tgi/") else None)
        if model is not None and model.readers:
            auth = request.headers.get("authorization", "") if request is not None else ""
            return model if auth.removeprefix("Bearer ") in model.readers else None
        return model

    def _pop_script(self, model_id: str) -> Reply:
        with self._lock:
            queue = self._scripts.get(model_id)
            return queue.popleft() if queue else Reply()

    def _request_id(self) -> str:
        return f"protocol-server-{next(self._answer_ids)}"

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        return JSONResponse({"error": message}, status, headers={"x-request-id": self._request_id(), **(headers or {})})

    async def _model_info(self, request: Request, model_id: str, body: Any) -> Response:
        model = self._model(model_id, request)
        if model is None:
            return self._error(
                404, "Repository Not Found", {"X-Error-Code": "RepoNotFound", "X-Error-Message": "Repository not found"}
            )
        mapping = {
            provider: {"status": "live", "providerId": model_id, "task": task}
            for provider, task in model.providers.items()
        }
        info = {
            "id": model_id,
            "pipeline_tag": model.pipeline_tag,
            "gated": "manual" if model.gated else False,  # the Hub's values: False, "auto", "manual"
            "inferenceProviderMapping": mapping,
        }
        return JSONResponse(info, headers={"x-request-id": self._request_id()})

    def _list_models(self, request: Request) -> Response:
        """The Hub's search. Mapping comes as a list, as the real list answer does."""
        query = request.query_params
        search = query.get("search", "").lower()
        expand = query.getlist("expand[]") + query.getlist("expand")
        served_by = query.get("inference_provider")
        limit = int(query.get("limit") or 1000)
        with self._lock:
            models = sorted(self._models.items(), key=lambda item: -item[1].trending)
        found = [
            self._list_item(model_id, model, expand)
            for model_id, model in models
            if self._model(model_id, request) is not None and search in model_id.lower()
            and query.get("pipeline_tag") in (None, model.pipeline_tag)
            and _served_by(model, served_by)
        ]
        return JSONResponse(found[:limit], headers={"x-request-id": self._request_id()})

    def _list_item(self, model_id: str, model: Model, expand: list[str]) -> dict[str, Any]:
        item: dict[str, Any] = {"_id": f"id-{model_id}", "id": model_id}
        if "inferenceProviderMapping" in expand:
            item["inferenceProviderMapping"] = [
                {"provider": provider, "providerId": model_id, "status": model.status(provider), "task": task}
                for provider, task in model.providers.items()
            ]
        if "private" in expand:
            item["private"] = bool(model.readers)
        if not expand:
            item |= {"pipeline_tag": model.pipeline_tag, "private": bool(model.readers), "likes": 0, "downloads": 0}
        return item

    def _router_entry(self, model_id: str, model: Model) -> dict[str, Any]:
        providers = [
            {"provider": provider, "status": "error" if model.status(provider) == "error" else "live",
             **model.facts.get(provider, {})}
            for provider in model.providers
        ]  # fmt: skip
        return {"id": model_id, "object": "model", "created": 1700000000, "owned_by": model_id.split("/")[0],
                "architecture": {"input_modalities": ["text"], "output_modalities": ["text"]}, "providers": providers}

    def _router_models(self, request: Request) -> Response:
        """Public models, and the private ones the request's token may read: the router's list is per token."""
        with self._lock:
            models = [(model_id, model) for model_id, model in self._models.items() if self._model(model_id, request) is not None]
        return JSONResponse({"object": "list", "data": [self._router_entry(m, model) for m, model in models]})

    async def _router_model(self, request: Request, model_id: str, body: Any) -> Response:
        model = self._model(model_id, request)
        if model is None:
            return self._error(404, f"Model {model_id} does not exist")
        return JSONResponse(self._router_entry(model_id, model))

    async def _tgi_info(self, request: Request, model_id: str, body: Any) -> Response:
        info = {"model_id": model_id, "max_input_tokens": 4095, "max_total_tokens": 4096, "version": "3.0.0"}
        return JSONResponse(info)

    async def _tgi_health(self, request: Request, model_id: str, body: Any) -> Response:
        return Response(status_code=200)

    # ---- an OpenAI-compatible server (vLLM's behaviour), model `openai/{name}` serving `{name}` ----

    async def _openai_models(self, request: Request, model_id: str, body: Any) -> Response:
        served = model_id.removeprefix("openai/")
        return JSONResponse({"object": "list", "data": [{"id": served, "object": "model", "owned_by": "vllm"}]})

    def _openai_refusal(self, model_id: str, body: Any) -> Response | None:
        """vLLM's answers to a request it can't serve: another model's name, or TGI's response_format."""
        reply = self._pop_script(model_id)
        if reply.replaces_answer:
            return _scripted(reply, self._request_id())
        served = model_id.removeprefix("openai/")
        asked = body.get("model") if isinstance(body, dict) else None
        if asked != served:
            message = f"The model `{asked}` does not exist."
            return JSONResponse({"error": {"message": message, "type": "NotFoundError", "param": None, "code": 404}}, 404)
        response_format = body.get("response_format")
        if isinstance(response_format, dict) and response_format.get("type") not in ("text", "json_object", "json_schema", None):
            return _openai_bad_request("response_format.type must be text, json_object or json_schema")
        if isinstance(response_format, dict) and "value" in response_format:  # TGI's grammar shape
            return _openai_bad_request("response_format: extra field `value` not permitted")
        return None

    async def _openai_completion(self, request: Request, model_id: str, body: Any) -> Response:
        if (refusal := self._openai_refusal(model_id, body)) is not None:
            return refusal
        if not isinstance(body.get("prompt"), str):
            return _openai_bad_request("prompt must be a string")
        generation = answers.generate(body["prompt"], seed=body.get("seed"), temperature=body.get("temperature"),
                                      max_tokens=body.get("max_tokens"), stop=body.get("stop"))
        events = answers.completion_stream(generation, model=body["model"], answer_id=f"cmpl-{next(self._answer_ids)}")
        return self._deliver(Reply(), stream=bool(body.get("stream")), events=events, whole={}, tail=(answers.DONE,))

    async def _openai_chat(self, request: Request, model_id: str, body: Any) -> Response:
        if (refusal := self._openai_refusal(model_id, body)) is not None:
            return refusal
        if not isinstance(body.get("messages"), list):
            return _openai_bad_request("messages must be a list")
        generation = answers.generate(answers.chat_prompt(body["messages"]), seed=body.get("seed"), temperature=body.get("temperature"),
                                      max_tokens=body.get("max_tokens"), stop=body.get("stop"))
        if isinstance(body.get("response_format"), dict):
            generation = answers.json_answer(body["messages"])
        events = answers.chat_stream(generation, model=body["model"], answer_id=f"chatcmpl-{next(self._answer_ids)}")
        return self._deliver(Reply(), stream=bool(body.get("stream")), events=events, whole={}, tail=(answers.DONE,))

    def _refusal(self, model_id: str, reply: Reply, request: Request) -> Response | None:
        """The answer when the model cannot generate at all: scripted, unknown, private, or gated."""
        if reply.no_answer:
            self._stalled()
            generation = self._generation
            return _NoAnswer(lambda: self._client_left(generation))
        if reply.replaces_answer:
            return _scripted(reply, self._request_id())
        model = self._model(model_id, request)
        if model is None:
            return self._error(404, f"Model {model_id} does not exist")
        if model.gated:
            message = GATED_MESSAGE.format(model=model_id)
            return self._error(403, message, {"X-Error-Message": message})
        return None

    async def _text_generation(self, request: Request, model_id: str, body: Any) -> Response:
        reply = self._pop_script(model_id)
        if (refusal := self._refusal(model_id, reply, request)) is not None:
            return refusal
        if not isinstance(body, dict) or not isinstance(body.get("inputs"), str):
            return _validation_error("Input validation error: `inputs` must be a string")
        params = body.get("parameters") or {}
        refused = [name for name in self._model(model_id, request).refused_params if params.get(name) is not None]  # type: ignore[union-attr]
        if refused:
            message = f"The following `model_kwargs` are not used by the model: {refused} (note: typos in the generate arguments will also show up in this list)"
            return JSONResponse({"error": message}, 400, headers={"x-request-id": self._request_id()})
        generation = answers.generate(
            body["inputs"], seed=params.get("seed"), temperature=params.get("temperature"),
            max_tokens=params.get("max_new_tokens"), stop=params.get("stop"),
        )  # fmt: skip
        prefix = body["inputs"] if params.get("return_full_text") else ""
        seed = params.get("seed")
        top_n = int(params.get("top_n_tokens") or 0) if self._model(model_id, request).probabilities else 0  # type: ignore[union-attr]
        return self._deliver(
            reply,
            stream=bool(body.get("stream")),
            events=answers.tgi_stream(generation, seed, prefix=prefix, top_n_tokens=top_n),
            whole=answers.tgi_answer(generation, seed, details=bool(params.get("details")), prefix=prefix),
        )

    async def _chat(self, request: Request, model_id: str, body: Any) -> Response:
        reply = self._pop_script(model_id)
        if (refusal := self._refusal(model_id, reply, request)) is not None:
            return refusal
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            return _validation_error("Input validation error: `messages` must be a list")
        generation = answers.generate(
            answers.chat_prompt(body["messages"]), seed=body.get("seed"), temperature=body.get("temperature"),
            max_tokens=body.get("max_tokens"), stop=body.get("stop"),
        )  # fmt: skip
        answer_id = f"chatcmpl-{next(self._answer_ids)}"
        prompt_tokens = answers.prompt_token_count(body["messages"])
        style = self._model(model_id).answers  # type: ignore[union-attr]  # _refusal checked it exists
        generation = answers.think_tokens(generation) if style == "think" else generation
        generation = answers.json_answer(body["messages"]) if style == "json" else generation
        if style == "reasoning":
            events = answers.reasoning_stream(generation, model=model_id, answer_id=answer_id)
        else:
            events = answers.chat_stream(generation, model=model_id, answer_id=answer_id, top_logprobs=self._top_logprobs(model_id, body))
        paced = self._model(model_id).delays.get(_provider_in(request.url.path))  # type: ignore[union-attr]
        thinking = len(answers.THINKING) if style == "reasoning" else None
        usage = answers.usage_chunk(
            model=model_id, answer_id=answer_id, prompt_tokens=prompt_tokens,
            completion_tokens=len(generation.tokens) + (thinking or 0), reasoning_tokens=thinking,
        )  # fmt: skip
        return self._deliver(
            reply,
            stream=bool(body.get("stream")),
            events=[*events, usage] if _wants_usage(body) else events,
            whole=answers.chat_completion(generation, model=model_id, answer_id=answer_id, prompt_tokens=prompt_tokens),
            tail=(answers.DONE,),
            delay=paced,
        )

    def _top_logprobs(self, model_id: str, body: dict) -> int | None:
        """How many alternatives a chat answer lists per token; None when logprobs are not sent."""
        if not body.get("logprobs") or not self._model(model_id).probabilities:  # type: ignore[union-attr]
            return None
        return int(body.get("top_logprobs") or 0)

    def _deliver(
        self, reply: Reply, *, stream: bool, events: list[bytes], whole: Any, tail: tuple[bytes, ...] = (),
        delay: float | None = None,
    ) -> Response:
        """The normal answer, whole or streamed, shaped by the scripted reply."""
        headers = {"x-compute-type": "cpu", "x-request-id": self._request_id(), **reply.headers}
        if reply.stream_error is not None:
            after, message, error_type = reply.stream_error
            if not stream:  # no stream to break: answer as TGI does for a failed generation
                status = _ERROR_TYPE_STATUS.get(error_type, 500)
                return JSONResponse({"error": message, "error_type": error_type}, status, headers=headers)
            events, tail = events[:after], (answers.error_event(message, error_type),)
        if not stream:
            return JSONResponse(whole, headers=headers)
        if reply.cut_after is not None:  # the last event is the final one: cut before it
            events, tail = events[: min(reply.cut_after, len(events) - 1)], ()
        if reply.reset_after is not None:
            return _ResetAfter(events[: min(reply.reset_after, len(events) - 1)], headers, self._reset_connection)
        delay = reply.token_delay if reply.token_delay is not None else self.token_delay if delay is None else delay
        stall = reply.stall_after is not None
        if stall:
            events, tail = events[: reply.stall_after], ()
        paced = self._paced([*events, *tail], delay, stall=stall)
        return StreamingResponse(paced, media_type="text/event-stream", headers=headers)

    async def _paced(self, events: list[bytes], delay: float, stall: bool = False) -> AsyncIterator[bytes]:
        """Sleeps between events without blocking the loop, so slow streams are served side by
        side; a client that leaves cancels the sleep (Starlette watches for the disconnect).
        With `stall`, waits for that after the last event instead of ending the stream."""
        finished = False
        generation = self._generation
        with self._lock:
            self.open_streams += 1
            self.peak_open_streams = max(self.peak_open_streams, self.open_streams)
        try:
            for index, event in enumerate(events):
                if index and delay > 0:
                    await asyncio.sleep(delay)
                yield event
            if stall:
                self._stalled()
                await asyncio.Event().wait()  # until the client leaves (the wait is cancelled)
            finished = True
        finally:
            with self._lock:
                self.open_streams -= 1
            if not finished:
                self._client_left(generation)

    def _reset_connection(self, client: tuple[str, int]) -> None:
        """Aborts the connection from `client` with SO_LINGER 0, so the kernel sends an RST."""
        assert self._server is not None
        for connection in list(self._server.server_state.connections):
            if getattr(connection, "client", None) == client:
                transport = connection.transport  # type: ignore[attr-defined]
                transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                transport.abort()

    def _client_left(self, generation: int) -> None:
        """Counts a client that left early, if it came in since the last reset: a test's leftover
        connection (a no_answer reply ends only at the client's read timeout, seconds later) must
        not be counted in the next test."""
        with self._lock:
            if generation == self._generation:
                self.cancelled_streams += 1

    def _stalled(self) -> None:
        with self._lock:
            self.stalls += 1


class _NoAnswer(Response):
    """Sends nothing, not even a status line; calls `on_leave` when the client disconnects."""

    def __init__(self, on_leave: Callable[[], None]) -> None:
        super().__init__()
        self._on_leave = on_leave

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        self._on_leave()


class _ResetAfter(StreamingResponse):
    """Starts a 200 event stream, sends `events`, then resets the connection (see Reply.reset_after)."""

    def __init__(self, events: list[bytes], headers: dict[str, str], reset: Callable[[tuple[str, int]], None]) -> None:
        super().__init__(events, media_type="text/event-stream", headers=headers)  # chunked: no Content-Length
        self._events = events
        self._reset = reset

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        for event in self._events:
            await send({"type": "http.response.body", "body": event, "more_body": True})
        self._reset(tuple(scope["client"]))
        while (await receive())["type"] != "http.disconnect":
            pass


def _served_by(model: Model, served_by: str | None) -> bool:
    """The `inference_provider` filter: "all", one provider, or a comma-separated list."""
    if served_by is None:
        return True
    wanted = set(served_by.split(","))
    return any(provider in wanted or "all" in wanted for provider in model.providers)


def _validate_yaml(readme: str) -> Response:
    """As the Hub checks a card: the front matter between `---` lines must be a YAML mapping."""
    parts = readme.split("---\n", 2)
    try:
        metadata = yaml.safe_load(parts[1]) if readme.startswith("---\n") and len(parts) == 3 else {}
    except yaml.YAMLError as error:
        return JSONResponse({"errors": [{"message": str(error)}], "warnings": []}, 400)
    if not isinstance(metadata, dict):
        return JSONResponse({"errors": [{"message": "metadata must be a mapping"}], "warnings": []}, 400)
    return JSONResponse({"errors": [], "warnings": [] if metadata else [{"message": "empty or missing yaml metadata"}]})


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    return auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None


def _provider_in(path: str) -> str | None:
    """The provider a router path names ("/together/v1/chat/completions"); None for the "auto" route."""
    first = path.strip("/").split("/", 1)[0]
    return None if first == "v1" else first


def _default_providers() -> dict[str, str]:
    return {"hf-inference": "text-generation"}


def _wants_usage(body: dict) -> bool:
    options = body.get("stream_options")
    return isinstance(options, dict) and options.get("include_usage") is True


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _model_named(match: re.Match[str], body: Any) -> str | None:
    """The path names the model; otherwise the body does, maybe with a ":provider" suffix."""
    groups = match.groupdict()
    if groups.get("model"):
        return groups["model"]
    if groups.get("name"):
        return f"tgi/{groups['name']}"
    if groups.get("served"):
        return f"openai/{groups['served']}"
    model = body.get("model") if isinstance(body, dict) else None
    return model.split(":", 1)[0] if isinstance(model, str) and model else None


def _scripted(reply: Reply, request_id: str) -> Response:
    headers = {"x-request-id": request_id, **reply.headers}
    if isinstance(reply.body, str):
        return PlainTextResponse(reply.body, reply.status, headers=headers)
    if reply.body is None:
        return Response(status_code=reply.status, headers=headers)
    return JSONResponse(reply.body, reply.status, headers=headers)


def _openai_bad_request(message: str) -> Response:
    return JSONResponse({"error": {"message": message, "type": "BadRequestError", "param": None, "code": 400}}, 400)


def _validation_error(message: str) -> Response:
    return JSONResponse({"error": message, "error_type": "validation"}, 422)


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the Hugging Face inference protocol on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--token-delay", type=float, default=0.0, help="seconds between streamed tokens")
    args = parser.parse_args()
    server = ProtocolServer(token_delay=args.token_delay).start(port=args.port)
    print(f"protocol server on {server.url} (HF_ENDPOINT and router base); Ctrl+C stops it", flush=True)
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
