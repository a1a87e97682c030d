"""Errors the HTTP API reports as `{"error": message, "status": code}`, with Toxiproxy's texts."""

from __future__ import annotations

BAD_BODY = "bad request body"
NOT_FOUND_PROXY = "proxy not found"
EXISTS_PROXY = "proxy already exists"
INVALID_STREAM = "stream was invalid, can be either upstream or downstream"
INVALID_TOXIC_TYPE = "invalid toxic type"
EXISTS_TOXIC = "toxic already exists"
NOT_FOUND_TOXIC = "toxic not found"


class ApiError(Exception):
    """A request the API refuses; `status` is the HTTP status code to answer with."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def bad_body(detail: str) -> ApiError:
    """Return the 400 for a body that does not decode, e.g. `bad request body: EOF`."""
    return ApiError(f"{BAD_BODY}: {detail}", 400)


def missing_field(field: str) -> ApiError:
    """Return the 400 for a required field left out, e.g. `missing required field: name`."""
    return ApiError(f"missing required field: {field}", 400)
