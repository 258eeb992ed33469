"""The fact-check pages (issue #11): the claims the store holds, with their verdicts and how many
stored posts repeat each, and one claim with its explanation and the posts that repeat it.

Claims come in through ``damai claims import`` (row-by-row checks, nothing imported on any
problem); these pages only read. Everyone signed in may read them.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import FastAPI, Path, Query, Request, Response

from damai.respond.claims import VERDICTS
from damai.web.context import WebContext
from damai.web.render import language, render

__all__ = ["add_claims_routes"]

#: posts listed on a claim's page
POSTS_SHOWN: Final = 100
Text = Annotated[str | None, Query(max_length=200)]


def _printable(value: str) -> bool:
    """A claim id a database can be asked for: no control characters (NUL, newlines)."""
    return all(ord(c) >= 32 for c in value)


def add_claims_routes(app: FastAPI, ctx: WebContext) -> None:
    def verdicts(request: Request) -> dict[str, str]:
        lang = language(request)
        return {k: v[0 if lang == "id" else 1] for k, v in VERDICTS.items()}

    @app.get("/claims")
    def claims(request: Request, q: Text = None, verdict: Text = None) -> Response:
        found = ctx.store.claims.all()
        if verdict:
            found = [c for c in found if c.verdict == verdict]
        if q and q.strip():
            needle = q.strip().casefold()
            found = [c for c in found if needle in c.claim.casefold()
                     or needle in c.claim_id.casefold()]
        return render(request, "claims.html", {
            "claims": found, "counts": ctx.store.claims.match_counts(), "q": q or "",
            "verdict": verdict or "", "verdicts": verdicts(request)})

    @app.get("/claims/{claim_id}")
    def claim(request: Request, claim_id: Annotated[str, Path(max_length=200)]) -> Response:
        found = ctx.store.claims.get(claim_id) if _printable(claim_id) else None
        if found is None:
            return render(request, "error.html", {"message": "error.not_found"}, 404)
        matched = ctx.store.claims.posts_of(found.claim_id, POSTS_SHOWN)
        scores = dict(matched)
        stored = ctx.store.posts.get_many([post_id for post_id, _ in matched])
        return render(request, "claim.html", {
            "claim": found, "posts": [(s, scores[s.id]) for s in stored],
            "count": ctx.store.claims.match_counts().get(found.claim_id, 0),
            "verdicts": verdicts(request)})
