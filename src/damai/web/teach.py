""""Bantu model / Teach the model": the posts whose labels teach the model most, one click per
label.

The queue is :func:`damai.pipeline.teach.pick` over the newest stored posts nobody has labelled,
with the model in service. For each label an analyst answers **ya** (1), **tidak** (0) or
**tidak tahu** (can't tell: a correction with no value, so the post is not asked again and the
label stays unknown in training data); "tidak ada yang cocok" answers tidak for every label of the
card at once. Each answer is a correction with the user and the time, audited as
``teach_label``. A post leaves the queue as soon as it has an answer; its card stays on the
page, showing the answers, until every label of it is answered.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import FastAPI, Form, Query, Request, Response
from fastapi.responses import RedirectResponse

from damai.errors import InputError
from damai.pipeline import heldout
from damai.pipeline.teach import SHOWN, pick, teach_labels
from damai.storage.base import StoredPost
from damai.understand.model import TextClassifier
from damai.web.checks import row_id_ok
from damai.web.context import WebContext
from damai.web.render import language, render, signed_in
from damai.web.security import CSRF

__all__ = ["ANSWERS", "add_teach_routes"]

#: what a button sends → the correction it keeps (None: "tidak tahu", can't tell)
ANSWERS: Final[dict[str, int | None]] = {"1": 1, "0": 0, "unknown": None}
#: the label field's value that answers every label of the card at once
EVERY: Final = "*"
Label = Annotated[str | None, Query(max_length=200)]


def _labels_of(model: TextClassifier, text: str) -> list[str]:
    labels = [n for n in text.split(",") if n]
    if not labels or any(n not in model.labels for n in labels):
        raise InputError("unknown label")
    return labels


def add_teach_routes(app: FastAPI, ctx: WebContext) -> None:
    def card(request: Request, stored: StoredPost, labels: list[str],
             model: TextClassifier) -> Response:
        judged = ctx.store.triage.judgements([stored.id]).get(stored.id, {})
        return render(request, "_teach_card.html", {
            "item": stored, "labels": labels, "judged": judged,
            "names": _names(model, labels, request),
            "done": all(n in judged for n in labels)})

    @app.get("/teach")
    def teach(request: Request, label: Label = None) -> Response:
        model = ctx.model()
        try:
            labels = teach_labels(model, label or None)
        except InputError:
            return render(request, "error.html", {"message": "error.not_found"}, 404)
        items = pick(ctx.store, model, labels, k=SHOWN)
        counts = heldout.count_labels(heldout.split_corrections(ctx.store))
        shown = list(dict.fromkeys([*teach_labels(model), *counts]))
        return render(request, "teach.html", {
            "items": items, "labels": labels, "label": label or "",
            "names": _names(model, shown, request), "choices": teach_labels(model),
            "counts": [(n, heldout.total(counts.get(n, {}))) for n in shown], "judged": {}})

    @app.post("/teach/{post_id}", dependencies=CSRF)
    def answer(request: Request, post_id: int, label: Annotated[str, Form(max_length=200)],
               value: Annotated[str, Form(max_length=8)],
               asked: Annotated[str, Form(max_length=4000)]) -> Response:
        """One answer (``label``) or the same answer for every label asked (``*``); ``asked``
        lists the labels the card asks about."""
        user, ip = signed_in(request)
        model = ctx.model()
        stored = ctx.store.posts.get_by_id(post_id) if row_id_ok(post_id) else None
        try:
            shown = _labels_of(model, asked)
        except InputError:
            shown = []
        if stored is None or value not in ANSWERS or not shown or (
                label != EVERY and label not in shown):
            return render(request, "error.html", {"message": "error.not_found"}, 404)
        answers = dict.fromkeys(shown if label == EVERY else [label], ANSWERS[value])
        ctx.store.triage.add_corrections(post_id, answers, user.name)
        ctx.auth.audit(user.name, "teach_label", f"post:{post_id}", {"corrections": answers},
                       ip=ip)
        if not request.headers.get("HX-Request"):
            return RedirectResponse("/teach", status_code=303)
        return card(request, stored, shown, model)


def _names(model: TextClassifier, labels: list[str], request: Request) -> dict[str, str]:
    lang = language(request)
    return {n: model.taxonomy.name(n, lang) for n in labels}
