"""Responses in the dashboard (issue #11): propose one from a post's page, the approver's queue,
approve and reject, publish to the dry-run channel, the outbox (where approvers retract a sent
publication, issue #12), and the four-eyes switch.

- Analysts propose from a post's page: an approved library entry as it is, a draft adapted from
  one (:func:`damai.respond.drafting.configured_drafter`), or a text of their own.
- The triage queue and the post page show each post's top three entries with their reasons
  (``/posts/{id}/recommendations``, :mod:`damai.pipeline.recommend`); one click proposes one.
- The queue (``/responses``) lists responses in review first, with the harm block and whether
  four-eyes review is on; approvers approve or reject there and publish approved ones.
- Admins turn four-eyes review on or off on the same page; the change is audited.

Every rule is :mod:`damai.pipeline.responses` and :mod:`damai.pipeline.publishing`; a refusal is
shown on the queue page with its reason (403 for four-eyes, 409 for a wrong state, 404).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Final

from fastapi import FastAPI, Form, Path, Request, Response
from fastapi.responses import RedirectResponse

from damai.errors import ConfigError, DamaiError, InputError, NotFound, ReviewRefused
from damai.pipeline.publishing import (
    pause_channel,
    publish,
    resume_channel,
    retract,
    settle_uncertain,
)
from damai.pipeline.recommend import for_posts
from damai.pipeline.responses import Actor, approve, edit, propose, propose_draft, reject
from damai.respond.drafting import DrafterUnavailable, configured_drafter
from damai.storage.responses import Response as Reply
from damai.web.checks import row_id_ok
from damai.web.context import WebContext
from damai.web.library import theme_names
from damai.web.render import render, signed_in
from damai.web.security import CSRF

__all__ = ["PROPOSE_MODES", "add_response_routes", "refusal_status"]

#: how a response is proposed from a post's page
PROPOSE_MODES: Final = ("entry", "draft", "text")
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]
_STATUS: Final = {"four_eyes": 403, "forbidden": 403, "unknown_channel": 400}
_CONFIRM_RETRACT: Final = ("Centang konfirmasi dulu: penarikan menghapus post di platform / Tick "
                           "the confirmation first: a retraction deletes the post on the "
                           "platform")


def refusal_status(exc: DamaiError) -> int:
    """The HTTP status of a refusal by the pipeline (the events pages use it too)."""
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, DrafterUnavailable):
        return 503
    if isinstance(exc, ReviewRefused):
        return _STATUS.get(exc.reason, 409)
    return 400


def _actor(request: Request) -> Actor:
    user, ip = signed_in(request)
    return Actor(user.name, user.role, ip)


def add_response_routes(app: FastAPI, ctx: WebContext) -> None:
    store = ctx.store

    def queue(request: Request, error: str | None = None, status: int = 200) -> Response:
        found = store.responses.queue(limit=300)
        return render(request, "responses.html", {
            "responses": found, "error": error,
            "alert_ids": store.alerts.of_responses(r.id for r in found if r.event_id),
            "four_eyes": bool(store.settings.get("four_eyes")),
            "published": store.publications.published(
                [r.id for r in found if r.state == "approved"])}, status)

    def step(request: Request, work: Callable[[Actor], object], back: str = "/responses"
             ) -> Response:
        try:
            work(_actor(request))
        except (NotFound, ReviewRefused, InputError) as exc:
            return queue(request, exc.message, refusal_status(exc))
        return RedirectResponse(back, status_code=303)

    @app.get("/responses")
    def responses(request: Request) -> Response:
        return queue(request)

    @app.get("/responses/waiting")
    def waiting(request: Request) -> Response:
        """The approver's badges in the navigation: responses waiting for them (with four-eyes
        on, not their own proposals), and publications ``uncertain`` or ``failed`` (issue #12);
        polled by htmx."""
        user, _ = signed_in(request)
        four_eyes = bool(store.settings.get("four_eyes"))
        n = store.responses.waiting(not_by=user.name if four_eyes else None)
        return render(request, "_waiting.html", {"n": n, "p": store.publications.waiting()})

    @app.get("/posts/{post_id}/recommendations")
    def recommendations(request: Request, post_id: int) -> Response:
        """The post's top three library entries with their reasons, each proposed in one click
        (a fragment the triage queue and the post page load)."""
        stored = store.posts.get_by_id(post_id) if row_id_ok(post_id) else None
        if stored is None:
            return render(request, "error.html", {"message": "error.not_found"}, 404)
        return render(request, "_recommendations.html", {
            "post_id": stored.id, "result": for_posts(store, [stored])[stored.id],
            "theme_names": theme_names(request)})

    @app.post("/posts/{post_id}/responses", dependencies=CSRF)
    def propose_for_post(request: Request, post_id: int,
                         mode: Annotated[str, Form(max_length=10)] = "entry",
                         entry_id: Annotated[str, Form(max_length=80)] = "",
                         text: Annotated[str, Form(max_length=6000)] = "",
                         channel: Annotated[str, Form(max_length=20)] = "dry-run",
                         back: Annotated[str, Form(max_length=8)] = "") -> Response:
        stored = store.posts.get_by_id(post_id) if row_id_ok(post_id) else None
        if stored is None or mode not in PROPOSE_MODES:
            return render(request, "error.html", {"message": "error.not_found"}, 404)
        ref = f"{stored.post.platform}:{stored.post.platform_id}"

        def work(actor: Actor) -> Reply:
            if mode == "draft":
                return propose_draft(store, ctx.model(), actor, configured_drafter(),
                                     entry_id=entry_id, post_ref=ref, channel=channel)
            if mode == "entry":
                return propose(store, ctx.model(), actor, entry_id=entry_id, post_ref=ref)
            return propose(store, ctx.model(), actor, text=text, post_ref=ref)

        try:
            made = work(_actor(request))
        except DamaiError as exc:  # the drafting server's failure too
            if back == "triage" and request.headers.get("HX-Request"):
                return render(request, "_proposed.html", {"error": exc.message},
                              refusal_status(exc))
            return queue(request, exc.message, refusal_status(exc))
        if back == "triage" and request.headers.get("HX-Request"):
            return render(request, "_proposed.html", {"made": made})
        return RedirectResponse(f"/responses#response-{made.id}", status_code=303)

    @app.post("/responses/{response_id}/approve", dependencies=CSRF)
    def approve_page(request: Request, response_id: RowId) -> Response:
        return step(request, lambda actor: approve(store, actor, response_id))

    @app.post("/responses/{response_id}/reject", dependencies=CSRF)
    def reject_page(request: Request, response_id: RowId,
                    reason: Annotated[str, Form(max_length=500)] = "") -> Response:
        return step(request, lambda actor: reject(store, actor, response_id, reason))

    @app.post("/responses/{response_id}/edit", dependencies=CSRF)
    def edit_page(request: Request, response_id: RowId,
                  text: Annotated[str, Form(max_length=6000)]) -> Response:
        return step(request, lambda actor: edit(store, ctx.model(), actor, response_id, text))

    @app.post("/responses/{response_id}/publish", dependencies=CSRF)
    def publish_page(request: Request, response_id: RowId) -> Response:
        return step(request, lambda actor: publish(store, actor, "dry-run",
                                                   response_id=response_id), "/outbox")

    def outbox_page(request: Request, error: str | None = None, status: int = 200
                    ) -> Response:
        return render(request, "outbox.html",
                      {"publications": store.publications.recent(), "error": error,
                       "channels": store.queue.channels()}, status)

    @app.get("/outbox")
    def outbox(request: Request) -> Response:
        return outbox_page(request)

    @app.get("/outbox/alerts")
    def channel_alerts(request: Request) -> Response:
        """The banner every page polls (htmx): channels paused, e.g. by revoked credentials."""
        return render(request, "_channel_alerts.html", {"paused": store.queue.paused()})

    @app.post("/outbox/channels/resume", dependencies=CSRF)
    def resume_page(request: Request,
                    channel: Annotated[str, Form(max_length=300)]) -> Response:
        return step(request, lambda actor: resume_channel(store, actor, channel), "/outbox")

    @app.post("/outbox/{publication_id}/settle", dependencies=CSRF)
    def settle_page(request: Request, publication_id: RowId,
                    outcome: Annotated[str, Form(max_length=10)],
                    post_url: Annotated[str, Form(max_length=500)] = "") -> Response:
        """A person's verdict on an ``uncertain`` publication, after looking at the platform;
        "not there" queues it again, for the worker to send."""
        def work(actor: Actor) -> None:
            settle_uncertain(store, actor, publication_id, outcome,
                             post_url=post_url.strip() or None,
                             note="dicek di dasbor / checked from the dashboard")
            if outcome == "failed":
                store.queue.requeue_failed(publication_id, now=datetime.now(UTC))

        return step(request, work, "/outbox")

    @app.post("/outbox/channels/pause", dependencies=CSRF)
    def pause_page(request: Request, channel: Annotated[str, Form(max_length=300)],
                   reason: Annotated[str, Form(max_length=300)] = "") -> Response:
        return step(request, lambda actor: pause_channel(store, actor, channel, reason),
                    "/outbox")

    @app.post("/publications/{publication_id}/retract", dependencies=CSRF)
    def retract_page(request: Request, publication_id: RowId,
                     reason: Annotated[str, Form(max_length=500)] = "",
                     confirm: Annotated[str, Form(max_length=5)] = "") -> Response:
        """The post is deleted on the platform, so the form's box must be ticked
        (``confirm=ya``); a platform's refusal shows on the publication's row."""
        if confirm != "ya":
            return outbox_page(request, _CONFIRM_RETRACT, 400)
        try:
            retract(store, _actor(request), publication_id, reason)
        except (NotFound, ReviewRefused, InputError, ConfigError) as exc:
            return outbox_page(request, exc.message, refusal_status(exc))
        return RedirectResponse(f"/outbox#publication-{publication_id}", status_code=303)

    @app.post("/settings/four-eyes", dependencies=CSRF)
    def four_eyes(request: Request, enabled: Annotated[str, Form(max_length=5)]) -> Response:
        user, ip = signed_in(request)
        wanted = enabled == "on"
        if wanted != bool(store.settings.get("four_eyes")):
            store.settings.set("four_eyes", wanted, actor=user.name, ip=ip)
        return RedirectResponse("/responses", status_code=303)
