"""The HTTP API under ``/api/v1``: bearer tokens, cursor pagination, one error JSON shape."""

from __future__ import annotations

from fastapi import FastAPI

from damai.web.context import WebContext

__all__ = ["mount_api"]


def mount_api(app: FastAPI, ctx: WebContext) -> None:
    """Add the ``/api/v1`` routes and their error handlers to ``app``."""
