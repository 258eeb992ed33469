"""The model page: which model is in service, every registered version, the evidence for
promoting a candidate, and when to label more (issue #9).

- **Evidence.** The model in service and a candidate (the newest, or ``?candidate=VERSION``) side
  by side on the installation's held-out labels: F1, precision and recall per label, each with a
  bootstrap 95% interval (:func:`damai.pipeline.heldout.compare`), and the macro F1 of both.
- **Labels.** How many answers the installation has per label, in the training and the held-out
  part, and which labels need more (:func:`damai.pipeline.heldout.label_more`), linked to the
  teach queue.
- **Actions.** Analysts build a candidate (an ``adapt`` job); approvers put one in service (a
  candidate not shown at least as good needs the confirmation box) or an earlier version back;
  both queue a ``reclassify`` job, whose progress the page follows (``/model/jobs``, polled by
  htmx while a job runs). A version that cannot load is shown broken with its error; the service
  keeps the model it has.
- The model card (Markdown with raw HTML off), thresholds and the metrics of ``metrics.json``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path as FilePath
from typing import Annotated, Any, Final

from fastapi import FastAPI, Form, Path, Query, Request, Response
from fastapi.responses import RedirectResponse
from markdown_it import MarkdownIt

from damai.errors import DamaiError, InputError, ModelError
from damai.pipeline import heldout
from damai.pipeline.registry import Change, load_version, promote, rollback
from damai.pipeline.teach import teach_labels
from damai.storage import Job
from damai.storage.models import ModelRecord
from damai.understand.adapt import AdaptConfig
from damai.understand.model import TextClassifier
from damai.web.context import WebContext
from damai.web.render import language, render, signed_in
from damai.web.security import CSRF

__all__ = ["JOB_KINDS", "add_model_routes", "metric_summary", "model_view", "render_card"]

#: the jobs the model page follows
JOB_KINDS: Final = ("reclassify", "adapt")
JOBS_SHOWN: Final = 5
Version = Annotated[str | None, Query(max_length=200)]
VersionPath = Annotated[str, Path(max_length=200)]


@cache
def render_card(folder: str) -> str:
    """The model card as HTML. Raw HTML in the Markdown is escaped, never passed through, and
    markdown-it refuses ``javascript:`` links."""
    path = FilePath(folder) / "MODEL_CARD.md"
    if not path.is_file():
        return ""
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    return str(parser.render(_without_metrics(path.read_text(encoding="utf-8"))))


def _without_metrics(card: str) -> str:
    """The card without its ``## Metrics`` section: the page shows those figures once, from
    ``metrics.json``, with the labels' names."""
    kept, skipping = [], False
    for line in card.splitlines(keepends=True):
        if line.startswith("## "):
            skipping = line[3:].lower().startswith("metrics")
        if not skipping:
            kept.append(line)
    return "".join(kept)


def _metrics(folder: FilePath) -> list[dict[str, Any]]:
    path = folder / "metrics.json"
    if not path.is_file():
        return []
    evaluations: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8")).get(
        "evaluations", [])
    return evaluations


def _candidate(ctx: WebContext, wanted: str | None, service: str
               ) -> tuple[str | None, TextClassifier | None, str | None]:
    """The version to compare with the model in service, its model, and why it cannot load."""
    records = ctx.store.models.all()
    if wanted is None:
        wanted = next((r.version for r in records if r.status == "candidate"), None)
    record = ctx.store.models.get(wanted) if wanted else None
    if record is None or record.version == service:
        return None, None, None
    try:
        return record.version, load_version(ctx.store, record)[0], None
    except ModelError as exc:
        return record.version, None, exc.message


def model_view(ctx: WebContext, wanted: str | None = None, lang: str = "id") -> dict[str, Any]:
    """Everything the model page shows (see the module doc)."""
    served = ctx.served()
    records = ctx.store.models.all()
    version, candidate, candidate_error = _candidate(ctx, wanted, served.version)
    split = heldout.split_corrections(ctx.store)
    counts = heldout.count_labels(split)
    models = {served.version: served.model, **({version: candidate} if candidate and version
                                               else {})}
    comparison = heldout.compare(models, heldout.to_table(split.heldout))
    labels = list(dict.fromkeys([*teach_labels(served.model), *counts]))
    model = served.model
    return {
        "served": served, "version": served.version, "records": records,
        "candidate": version if candidate else None, "candidate_error": candidate_error,
        "comparison": comparison, "labels": labels,
        "gain": heldout.difference(comparison, version, served.version) if candidate and version
        else None,
        "counts": {n: {side: counts.get(n, {}).get(side, heldout.LabelCount())
                       for side in ("train", "heldout")} for n in labels},
        "needs": heldout.label_more(counts, comparison, served.version, labels),
        "names": {n: model.taxonomy.name(n, lang) for n in labels},
        "rule": {"positives": heldout.LABEL_MORE_POSITIVES, "width": heldout.LABEL_MORE_WIDTH,
                 "percent": heldout.HELDOUT_PERCENT, "min": AdaptConfig().min_positives},
        "jobs": ctx.store.jobs.recent(JOB_KINDS, JOBS_SHOWN),
        "summaries": {r.version: metric_summary(r) for r in records},
        "thresholds": [(n, float(v)) for n, v in zip(model.labels, model.thresholds,
                                                      strict=True)],
        "metrics": _metrics(served.folder), "card": render_card(str(served.folder.resolve()))}


def metric_summary(record: ModelRecord) -> str:
    """A version's figures in one line: macro F1 on this installation's held-out labels when it
    was built, or the range of macro F1 over the test sets of its own card."""
    at_creation = record.metrics.get("heldout_at_creation", {}).get("macro_f1", {})
    if record.version in at_creation:
        return f"F1 makro uji / held-out macro F1 {at_creation[record.version][0]:.3f}"
    scores = [e["macro_f1"] for e in record.metrics.get("evaluations", [])
              if isinstance(e.get("macro_f1"), int | float)]
    if scores:
        return (f"F1 makro / macro F1 {min(scores):.3f}–{max(scores):.3f} "
                f"({len(scores)} set uji / test sets)")
    return "—"


def _running(jobs: list[Job]) -> bool:
    return any(j.state in ("queued", "running") for j in jobs)


def add_model_routes(app: FastAPI, ctx: WebContext) -> None:
    def page(request: Request, wanted: str | None = None, error: str | None = None,
             status: int = 200) -> Response:
        view = model_view(ctx, wanted, language(request))
        return render(request, "model.html", {**view, "error": error,
                                              "polling": _running(view["jobs"])}, status)

    def changed(request: Request, change: Change) -> Response:
        if change.job is not None and ctx.jobs is not None:
            ctx.jobs.enqueue(change.job)
        return RedirectResponse("/model", status_code=303)

    @app.get("/model")
    def model_page(request: Request, candidate: Version = None) -> Response:
        return page(request, candidate or None)

    @app.get("/model/jobs")
    def model_jobs(request: Request) -> Response:
        jobs = ctx.store.jobs.recent(JOB_KINDS, JOBS_SHOWN)
        return render(request, "_model_jobs.html", {"jobs": jobs, "polling": _running(jobs)})

    @app.post("/model/adapt", dependencies=CSRF)
    def adapt(request: Request) -> Response:
        user, ip = signed_in(request)
        try:  # too few labels: say so now, with how many more, instead of in a failed job
            heldout.training_table(heldout.split_corrections(ctx.store), AdaptConfig())
        except InputError as exc:
            return page(request, error=exc.message, status=400)
        job = ctx.store.jobs.add("adapt", actor=user.name, ip=ip, detail={})
        ctx.auth.audit(user.name, "model_adapt", f"job:{job.id}", {}, ip=ip)
        if ctx.jobs is not None:
            ctx.jobs.enqueue(job)
        return RedirectResponse("/model", status_code=303)

    @app.post("/model/{version}/promote", dependencies=CSRF)
    def promote_version(request: Request, version: VersionPath,
                        confirm_worse: Annotated[str, Form(max_length=8)] = "") -> Response:
        user, ip = signed_in(request)
        try:
            change = promote(ctx.store, version, approver=user.name, approver_role=user.role,
                             actor=user.name, ip=ip, confirm_worse=confirm_worse == "yes")
        except DamaiError as exc:
            return page(request, version, error=exc.message, status=400)
        return changed(request, change)

    @app.post("/model/{version}/rollback", dependencies=CSRF)
    def rollback_version(request: Request, version: VersionPath) -> Response:
        user, ip = signed_in(request)
        try:
            change = rollback(ctx.store, version, approver=user.name, approver_role=user.role,
                              actor=user.name, ip=ip)
        except DamaiError as exc:
            return page(request, error=exc.message, status=400)
        return changed(request, change)
