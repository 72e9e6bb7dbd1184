"""Domain errors and the one mapping that turns any failure into the error shape.

Every error answer, in debug and production alike, is
``{"code": ..., "message": ..., "details": ...}``; no stack trace ever leaves.
"""

from __future__ import annotations

import logging
import sqlite3
from http import HTTPStatus
from typing import Any

import asyncpg
import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException

log = logging.getLogger("fieldops")


class ErrorBody(msgspec.Struct):
    code: str
    message: str
    details: Any = None


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: Any = None, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        if code is not None:
            self.code = code


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Invalid(DomainError):
    status = 422
    code = "invalid"


class TooLarge(DomainError):
    status = 413
    code = "too_large"


class TooSoon(DomainError):
    """Asked again before the allowed interval passed; ``retry_after``: seconds."""

    status = 429
    code = "too_many_requests"

    def __init__(
        self, message: str, details: Any = None, *, code: str | None = None, retry_after: int
    ) -> None:
        super().__init__(message, details, code=code)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A service the request needs is off or not answering."""

    status = 503
    code = "unavailable"


HTTP_CODES = {
    400: "malformed_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
    503: "unavailable",
}


def error_response(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    return Response(
        content=ErrorBody(code=code, message=message, details=details),
        status_code=status,
        media_type=MediaType.JSON,
        headers=headers,
    )


def on_domain_error(_: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooSoon) else None
    return error_response(exc.status, exc.code, exc.message, exc.details, headers)


def on_validation_error(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    return error_response(400, "validation_error", "the request is not valid", exc.extra)


def on_http_exception(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    code = HTTP_CODES.get(status, "error")
    message = exc.detail or HTTPStatus(status).phrase
    return error_response(status, code, message, exc.extra or None)


def on_integrity_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # The database's own words name tables and constraints: logged, not answered.
    log.info("constraint violation on %s %s: %s", request.method, request.url.path, exc)
    return error_response(409, "constraint_violation", CONSTRAINT_MESSAGE)


def on_data_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.info("value refused by the database on %s %s: %s", request.method, request.url.path, exc)
    return error_response(400, "invalid_value", VALUE_MESSAGE)


def on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "an unexpected error occurred")


# What a failed write raises besides DomainError, where a caller must tell it apart.
INTEGRITY_ERRORS = (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)
# A value the database cannot hold (a time past year 9999 in UTC, a number over 64 bits).
VALUE_ERRORS = (OverflowError, asyncpg.DataError)
CONSTRAINT_MESSAGE = "the change conflicts with existing data"
VALUE_MESSAGE = "a value cannot be stored (out of range or not text)"

EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: on_domain_error,
    ValidationException: on_validation_error,
    HTTPException: on_http_exception,
    sqlite3.IntegrityError: on_integrity_error,
    asyncpg.IntegrityConstraintViolationError: on_integrity_error,
    asyncpg.DataError: on_data_error,
    OverflowError: on_data_error,
    Exception: on_unexpected,
}
