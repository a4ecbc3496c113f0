"""One error hierarchy, one JSON shape: {"error": code, "detail": message}."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class AppError(Exception):
    status_code = 400
    code = "bad_request"
    message = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.headers = headers
        super().__init__(self.message)

    def __reduce__(self) -> tuple[Any, ...]:
        # Raised in a worker process (server/offload.py) and re-raised here: keep the code.
        return (type(self), (self.message,), {"code": self.code, "headers": self.headers})


class BadRequest(AppError):
    pass


class Unauthorized(AppError):
    status_code = 401
    code = "unauthorized"
    message = "Sign in to continue."


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"
    message = "You are not allowed to do this."


class NotFound(AppError):
    status_code = 404
    code = "not_found"
    message = "Not found."


class Conflict(AppError):
    status_code = 409
    code = "conflict"
    message = "This conflicts with the current state."


class Gone(AppError):
    status_code = 410
    code = "gone"
    message = "This is no longer available."


class TooManyRequests(AppError):
    status_code = 429
    code = "too_many_requests"
    message = "Too many attempts. Try again later."


def _plain(ctx: object) -> dict[str, int | float | str]:
    if not isinstance(ctx, dict):
        return {}
    return {
        str(k): v
        for k, v in ctx.items()
        if isinstance(v, int | float | str) and not isinstance(v, bool) and len(str(v)) <= 200
    }


def _body(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"error": code, "detail": detail, **extra}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(_: Request, exc: AppError) -> JSONResponse:
        return JSONResponse(_body(exc.code, exc.message), exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "loc": list(e.get("loc", ())),
                "msg": e.get("msg", ""),
                "type": e.get("type", ""),
                # The limits the message names (min_length, le, ...), so clients can say it
                # in the reader's language; only plain values, never the input or exceptions.
                "ctx": _plain(e.get("ctx")),
            }
            for e in exc.errors()
        ]
        return JSONResponse(
            _body("validation_error", "The request is malformed.", errors=errors), 422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {
            404: "not_found",
            405: "method_not_allowed",
            401: "unauthorized",
            413: "payload_too_large",
        }
        code = codes.get(exc.status_code, "http_error")
        detail = str(exc.detail)
        if exc.status_code == 413:  # the body limit (docs/limits.md)
            detail = "The request body is larger than this route accepts."
        return JSONResponse(_body(code, detail), exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(_body("internal_error", "Something went wrong on our side."), 500)
