"""Server-rendered dashboard pages (Jinja2 + htmx), behind session login."""

from __future__ import annotations

from fastapi import FastAPI

from damai.web.context import WebContext

__all__ = ["mount_pages"]


def mount_pages(app: FastAPI, ctx: WebContext) -> None:
    """Add the login page, the dashboard pages and their static assets to ``app``."""
