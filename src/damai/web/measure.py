"""The measure page (issue #12 part 7): ``/measure``, reach and engagement rate per campaign,
message, ambassador, theme and province, and every A/B comparison with its test, p-value and
95% interval. A winner is shown only when :mod:`damai.pipeline.measure` names one (p < 0.05
and enough views on both sides); otherwise the page says there is not enough data yet.
"""

from __future__ import annotations

from fastapi import FastAPI, Request, Response

from damai.pipeline.measure import GROUPINGS, measure
from damai.web.context import WebContext
from damai.web.render import render

__all__ = ["add_measure_routes"]


def add_measure_routes(app: FastAPI, ctx: WebContext) -> None:
    @app.get("/measure")
    def measure_page(request: Request, by: str = "campaign") -> Response:
        chosen = by if by in GROUPINGS else "campaign"
        found = measure(ctx.store, [chosen])  # type: ignore[list-item]
        return render(request, "measure.html", {**found, "by": chosen,
                                                "groupings": GROUPINGS,
                                                "rows": found["groups"][chosen]})
