"""Measurement (issue #12 part 7): ``GET /api/v1/measure``, reach and engagement rate per
campaign, message, ambassador, theme and province, and the A/B comparison of campaign variants.

A thin route over :func:`damai.pipeline.measure.measure`; docs/measurement.md states the test,
the reach fallback and the thresholds. Analysts and up: the figures per ambassador name people
(and are empty while the leaderboard is off).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from damai.auth import User
from damai.pipeline.measure import GROUPINGS, measure
from damai.web.api.errors import ApiError, JSONBody, documented
from damai.web.api.security import require
from damai.web.context import WebContext

__all__ = ["add_measure_routes"]

_BAD = (422, "Pengelompokan tidak dikenal / Unknown grouping.")


def add_measure_routes(router: APIRouter, ctx: WebContext) -> None:
    store = ctx.store

    @router.get("/measure", summary="Jangkauan, keterlibatan, uji A/B / Reach, engagement, "
                                     "A/B tests", responses=documented(_BAD))
    def measured(_: Annotated[User, Depends(require(ctx, "GET", "/measure"))],
                 by: Annotated[list[str] | None, Query(max_length=5)] = None) -> JSONBody:
        """`by`: campaign, message, ambassador, theme, province (berulang / repeatable;
        bawaan / default: semua / all)."""
        chosen = by or list(GROUPINGS)
        unknown = [g for g in chosen if g not in GROUPINGS]
        if unknown:
            raise ApiError(422, "invalid_grouping", (
                f"pengelompokan tidak dikenal: {', '.join(unknown)}; pakai salah satu dari "
                f"{', '.join(GROUPINGS)} / unknown grouping: {', '.join(unknown)}; use one of "
                f"{', '.join(GROUPINGS)}"))
        found: dict[str, Any] = measure(store, chosen)  # type: ignore[arg-type]
        return JSONBody(found)
