"""The ambassador network in the dashboard (issue #12 part 5), and each ambassador's kit page.

- ``/ambassadors``: active ambassadors, credited posts and reach per province and per campaign,
  and the leaderboard (per ambassador) unless an admin turned it off (``leaderboard`` in
  ``store.settings``, audited). Analysts register ambassadors (``/ambassadors/new``), make kits
  and revoke them, and record a withdrawal of consent on the detail page. Kits export as CSV or
  JSON (one row a message, never a token).
- ``/kit/{token}``: the ambassador's personal page. It needs no account: the authorisation table
  marks exactly this route public. A forged, revoked or expired link, or one of an ambassador who
  withdrew, gets the same plain 404, which names no one. The page is never cached
  (``no-store``), sends no referrer to the links on it (``no-referrer``), and asks search engines
  not to index it.

Who may do what is :data:`damai.web.authz.ROUTE_ROLES`; the rules are
:mod:`damai.pipeline.ambassadors`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Final

import orjson
from fastapi import FastAPI, Form, Query, Request, Response
from fastapi.responses import PlainTextResponse, RedirectResponse

from damai.errors import InputError, NotFound
from damai.pipeline import ambassadors as amb
from damai.storage import Store
from damai.understand.places import PROVINCES
from damai.web.checks import row_id_ok
from damai.web.context import WebContext
from damai.web.render import render, signed_in
from damai.web.security import CSRF

__all__ = ["KIT_HEADERS", "NOT_FOUND_TEXT", "add_ambassador_routes", "overview"]

#: what every kit page answer carries, the 404 included
KIT_HEADERS: Final = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
                      "X-Robots-Tag": "noindex, nofollow"}
#: the one answer for a link that does not open a kit, whatever the reason
NOT_FOUND_TEXT: Final = "Halaman tidak ditemukan. / Page not found."
Text = Annotated[str, Form(max_length=300)]
_CONFIRM: Final = ("Centang konfirmasi dulu: penarikan persetujuan menghapus data duta dan tidak "
                   "bisa dibatalkan / Tick the confirmation first: a withdrawal erases the "
                   "ambassador's data and cannot be undone")


def not_found() -> Response:
    return PlainTextResponse(NOT_FOUND_TEXT, status_code=404, headers=KIT_HEADERS)


def overview(store: Store, province: str = "", campaign: str = "") -> dict[str, Any]:
    """What ``/ambassadors`` shows; with ``province`` or ``campaign``, also the credited posts
    of that region or campaign."""
    leaderboard = bool(store.settings.get("leaderboard"))
    chosen = bool(province or campaign)
    credits = store.ambassadors.credits(province=province or None,
                                        campaign_id=campaign or None, limit=200) if chosen else []
    return {"ambassadors": store.ambassadors.all(), "leaderboard": leaderboard,
            "by_person": store.ambassadors.tally("ambassador")[:20] if leaderboard else [],
            "by_province": store.ambassadors.tally("province"),
            "by_campaign": store.ambassadors.tally("campaign"),
            "province": province, "campaign": campaign, "chosen": chosen, "credits": credits}


def detail(store: Store, ambassador_id: int) -> dict[str, Any] | None:
    found = store.ambassadors.get(ambassador_id) if row_id_ok(ambassador_id) else None
    if found is None:
        return None
    credits = store.ambassadors.credits(ambassador_id=found.id, limit=200)
    return {"a": found, "kits": store.ambassadors.kits(ambassador_id=found.id),
            "credits": credits, "reach": sum(c.engagement for c in credits)}


def add_ambassador_routes(app: FastAPI, ctx: WebContext) -> None:
    store = ctx.store

    def form(request: Request, error: str | None = None, values: dict[str, str] | None = None,
             status: int = 200) -> Response:
        return render(request, "ambassador_form.html", {
            "error": error, "values": values or {},
            "provinces": [p.name for p in PROVINCES]}, status)

    def person(request: Request, ambassador_id: int, issued: amb.IssuedKit | None = None,
               error: str | None = None, status: int = 200) -> Response:
        values = detail(store, ambassador_id)
        if values is None:
            return render(request, "error.html", {"message": "error.not_found"}, 404)
        link = str(request.base_url).rstrip("/") + issued.path if issued else None
        return render(request, "ambassador.html", {**values, "link": link, "error": error},
                      status)

    @app.get("/ambassadors")
    def ambassadors_page(request: Request, province: Annotated[str, Query(max_length=100)] = "",
                         campaign: Annotated[str, Query(max_length=300)] = "") -> Response:
        return render(request, "ambassadors.html", overview(store, province, campaign))

    @app.get("/ambassadors/new")
    def new_page(request: Request) -> Response:
        return form(request)

    @app.get("/ambassadors/kits.csv")
    def kits_csv(request: Request) -> Response:
        return Response(amb.kits_csv(amb.kit_rows(store)), media_type="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="kit-duta.csv"'})

    @app.get("/ambassadors/kits.json")
    def kits_json(request: Request) -> Response:
        return Response(orjson.dumps(amb.kit_rows(store)), media_type="application/json")

    @app.post("/ambassadors", dependencies=CSRF)
    def register_page(request: Request, name: Text, province: Text, consent_scope: Text,
                      consent_date: Annotated[str, Form(max_length=10)] = "",
                      regency: Text = "", handles: Text = "", languages: Text = "",
                      topics: Text = "") -> Response:
        user, ip = signed_in(request)
        values = {"name": name, "province": province, "consent_scope": consent_scope,
                  "consent_date": consent_date, "regency": regency, "handles": handles,
                  "languages": languages, "topics": topics}
        try:
            made = amb.register(store, name=name, province=province,
                                consent_scope=consent_scope,
                                consent_at=_date(consent_date), regency=regency,
                                handles=handles.split(), languages=[languages],
                                topics=[topics], actor=user.name, ip=ip)
        except InputError as exc:
            return form(request, exc.message, values, 400)
        return RedirectResponse(f"/ambassadors/{made.id}", status_code=303)

    @app.get("/ambassadors/{ambassador_id}")
    def ambassador_page(request: Request, ambassador_id: int) -> Response:
        return person(request, ambassador_id)

    @app.post("/ambassadors/{ambassador_id}/kits", dependencies=CSRF)
    def kit_create(request: Request, ambassador_id: int, campaign_id: Text = "",
                   link: Annotated[str, Form(max_length=2000)] = "",
                   days: Annotated[int, Form(ge=1, le=366)] = 30) -> Response:
        user, ip = signed_in(request)
        try:
            issued = amb.issue_kit(store, ambassador_id, actor=user.name, ip=ip,
                                   campaign_id=campaign_id, link=link or None, days=days)
        except NotFound:
            return render(request, "error.html", {"message": "error.not_found"}, 404)
        except InputError as exc:
            return person(request, ambassador_id, error=exc.message, status=400)
        return person(request, ambassador_id, issued=issued)

    @app.post("/ambassadors/{ambassador_id}/withdraw", dependencies=CSRF)
    def withdraw_page(request: Request, ambassador_id: int,
                      confirm: Annotated[str, Form(max_length=5)] = "") -> Response:
        """Erasure cannot be undone, so the form's box must be ticked (``confirm=ya``)."""
        user, ip = signed_in(request)
        if confirm != "ya":
            return person(request, ambassador_id, error=_CONFIRM, status=400)
        try:
            if row_id_ok(ambassador_id):
                store.ambassadors.withdraw(ambassador_id, actor=user.name, ip=ip)
        except NotFound:
            pass  # already withdrawn or unknown: the list is the answer either way
        return RedirectResponse("/ambassadors?withdrawn=1", status_code=303)

    @app.post("/kits/{kit_id}/revoke", dependencies=CSRF)
    def revoke_page(request: Request, kit_id: int,
                    back: Annotated[int, Form(ge=0)] = 0) -> Response:
        user, ip = signed_in(request)
        try:
            if row_id_ok(kit_id):
                store.ambassadors.revoke_kit(kit_id, actor=user.name, ip=ip)
        except NotFound:
            pass
        target = f"/ambassadors/{back}" if back else "/ambassadors"
        return RedirectResponse(target, status_code=303)

    @app.post("/settings/leaderboard", dependencies=CSRF)
    def leaderboard_switch(request: Request,
                           enabled: Annotated[str, Form(max_length=5)]) -> Response:
        user, ip = signed_in(request)
        wanted = enabled == "on"
        if wanted != bool(store.settings.get("leaderboard")):
            store.settings.set("leaderboard", wanted, actor=user.name, ip=ip)
        return RedirectResponse("/ambassadors", status_code=303)

    @app.get("/kit/{token}")
    def kit_page(request: Request, token: str) -> Response:
        opened = amb.open_kit(store, token)
        if opened is None:
            return not_found()
        kit, ambassador = opened
        response = render(request, "kit.html", {"kit": kit, "a": ambassador})
        response.headers.update(KIT_HEADERS)
        return response


def _date(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError("Tanggal persetujuan harus TTTT-BB-HH / the consent date must be "
                         "YYYY-MM-DD") from None
