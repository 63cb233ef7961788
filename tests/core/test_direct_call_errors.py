"""`DirectCallErrors`: Gradio's direct-call routes answer 500 with their error payload even for a
caller's values; the middleware sends that payload as 422 and leaves every other answer alone."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from playground.web.request_errors import EXCEPTION_HANDLERS, DirectCallErrors

PAYLOAD = {"error": "Value: 'org/name:fastest' is not in the list of choices: ['Completion', 'Chat']", "title": "Error"}


async def answer(request: Request) -> Response:
    kind = request.path_params["kind"]
    if kind == "payload":
        return JSONResponse(PAYLOAD, status_code=500)
    if kind == "chunked":  # the payload in two chunks
        return StreamingResponse(iter([b'{"error": ', b'"too few values"}']), status_code=500, media_type="application/json")
    if kind == "crash":
        return PlainTextResponse("Internal Server Error", status_code=500)
    if kind == "echo":  # Gradio's error answer echoing a lone surrogate cannot be encoded
        return JSONResponse({"error": "Value: \ud800 is not in the list of choices"}, status_code=500)
    return JSONResponse({"data": ["Chat"]})


def client() -> TestClient:
    app = Starlette(routes=[Route("/gradio_api/{route}/{kind}", answer, methods=["POST"])], exception_handlers=EXCEPTION_HANDLERS)
    app.add_middleware(DirectCallErrors)
    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize("route", ["run", "api"])
def test_a_gradio_error_payload_on_a_direct_route_is_422_with_its_words(route: str) -> None:
    answered = client().post(f"/gradio_api/{route}/payload")
    assert answered.status_code == 422 and answered.json() == PAYLOAD
    chunked = client().post(f"/gradio_api/{route}/chunked")
    assert chunked.status_code == 422 and chunked.json() == {"error": "too few values"}


def test_other_answers_pass_through() -> None:
    assert client().post("/gradio_api/run/fine").json() == {"data": ["Chat"]}
    assert client().post("/gradio_api/run/crash").status_code == 500  # not Gradio's payload: a crash stays a crash
    assert client().post("/gradio_api/call/payload").status_code == 500  # the queue's route is not a direct call


def test_an_answer_echoing_a_lone_surrogate_is_refused_with_422() -> None:
    answered = client().post("/gradio_api/run/echo")
    assert answered.status_code == 422 and "lone surrogate" in answered.json()["error"]
