"""The answer to a request Gradio's API cannot parse into its own shape, always encodable.

FastAPI answers such a request (`{"data": "text"}` instead of a list, say) with a 422 that echoes the
input. The input may hold a lone surrogate (`"\\udfff"` is valid JSON but not valid UTF-8), and
then the default answer cannot be encoded: the caller got a 500. This handler writes the same 422
with every character outside ASCII escaped, so it always can.
"""

from __future__ import annotations

import json

from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import Response


async def validation_error(request: Request, error: Exception) -> Response:
    """FastAPI's 422 for `RequestValidationError`, encoded as ASCII JSON."""
    errors = error.errors() if isinstance(error, RequestValidationError) else [{"msg": "invalid request"}]
    body = json.dumps({"detail": jsonable_encoder(errors)}, ensure_ascii=True, default=repr)
    return Response(body, status_code=422, media_type="application/json")


EXCEPTION_HANDLERS = {RequestValidationError: validation_error}
