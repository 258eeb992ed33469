"""``damai model``: the registry of model versions, and which one is in service (issue #9).

Each command is a thin wrapper over :mod:`damai.pipeline.registry` and :mod:`damai.pipeline.teach`.
Putting a model in service needs ``--approver NAME``, a dashboard user with the role approver or
admin; the audit log records the CLI user as the actor and the approver in the entry. The stored
posts are then re-scored as a job, here in the foreground with a progress bar (``--no-rescore``
leaves them to ``damai reclassify``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column, Table

from damai.cli.common import DbOption, cli_actor, err, out, plain, store_from
from damai.pipeline import heldout
from damai.pipeline.jobs import run_reclassify_job
from damai.pipeline.registry import Change, ensure_bundled, promote, register, rollback, serving
from damai.storage import Store
from damai.storage.models import ModelRecord

__all__ = ["app", "record_json"]

app = typer.Typer(help="Versi model dan model yang bertugas. / Model versions and the model in "
                       "service.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="JSON untuk skrip / JSON for scripts")]
ApproverOpt = Annotated[str, typer.Option(
    "--approver", help="Pengguna dasbor berperan approver atau admin / a dashboard user with "
                       "the role approver or admin")]
NoRescoreOpt = Annotated[bool, typer.Option(
    "--no-rescore", help="Jangan nilai ulang post sekarang / do not re-score stored posts now")]


def record_json(record: ModelRecord) -> dict[str, Any]:
    return {"version": record.version, "parent": record.parent, "kind": record.kind,
            "status": record.status, "labels": record.labels, "data": record.data,
            "metrics": record.metrics, "created_by": record.created_by,
            "created_at": record.created_at.isoformat(), "promoted_by": record.promoted_by,
            "promoted_at": record.promoted_at.isoformat() if record.promoted_at else None,
            "error": record.error, "sha256": record.sha256, "size": record.size}


def _data(record: ModelRecord) -> str:
    return "; ".join(f"{d.get('name')} ({d['rows']:,})" if d.get("rows") else str(d.get("name"))
                     for d in record.data)


@app.command("list")
def list_models(as_json: JsonOpt = False, db: DbOption = None) -> None:
    """Daftar versi model. / List every model version, newest first."""
    with store_from(db) as store:
        ensure_bundled(store)
        records = store.models.all()
    if as_json:
        sys.stdout.write(orjson.dumps([record_json(r) for r in records]).decode() + "\n")
        return
    table = Table(Column("versi / version", overflow="fold"), "jenis / kind", "status",
                  Column("induk / parent", overflow="fold"), "data", "dibuat / created",
                  "bertugas sejak / promoted")
    for r in records:
        table.add_row(plain(r.version), r.kind, r.status + (f"\n{r.error}" if r.error else ""),
                      plain(r.parent or "-"), plain(_data(r)),
                      f"{r.created_by} {r.created_at:%Y-%m-%d %H:%M}",
                      f"{r.promoted_by} {r.promoted_at:%Y-%m-%d %H:%M}" if r.promoted_at else "-")
    out.print(table)


@app.command("register")
def register_model(folder: Annotated[Path, typer.Argument(help="Folder model / model folder")],
                   as_json: JsonOpt = False, db: DbOption = None) -> None:
    """Daftarkan folder model sebagai kandidat. / Register a model folder as a candidate."""
    with store_from(db) as store:
        ensure_bundled(store)
        record = register(store, folder, actor=cli_actor())
    if as_json:
        sys.stdout.write(orjson.dumps(record_json(record)).decode() + "\n")
        return
    out.print(f"model {record.version} ({record.kind}) terdaftar sebagai {record.status} / "
              f"registered as {record.status}")


@app.command("adapt")
def adapt(as_json: JsonOpt = False, db: DbOption = None) -> None:
    """Bangun kandidat dari label instalasi ini. / Build a candidate from this installation's
    labels (their training part), adapting the model in service."""
    from damai.pipeline.teach import adapt_candidate

    with store_from(db) as store:
        ensure_bundled(store)
        record = adapt_candidate(store, actor=cli_actor(),
                                 progress=None if as_json else err.print)
    if as_json:
        sys.stdout.write(orjson.dumps(record_json(record)).decode() + "\n")
        return
    out.print(f"kandidat / candidate {record.version} (dari / from {record.parent}); "
              f"bandingkan / compare: damai model compare {record.version}")


@app.command("compare")
def compare(version: Annotated[str, typer.Argument(help="Versi kandidat / candidate version")],
            as_json: JsonOpt = False, db: DbOption = None) -> None:
    """Bandingkan dengan model yang bertugas pada label uji. / Compare a version with the model
    in service on the held-out labels (F1, precision, recall with 95% intervals)."""
    from damai.pipeline.registry import load_version

    with store_from(db) as store:
        record = store.models.get(version)
        if record is None:
            raise typer.BadParameter(f"no model {version!r}; see `damai model list`")
        served = serving(store)
        model, _ = load_version(store, record)
        table = heldout.to_table(heldout.split_corrections(store).heldout)
        result = heldout.compare({served.version: served.model, version: model}, table)
    if as_json:
        sys.stdout.write(orjson.dumps(result).decode() + "\n")
        return
    print_comparison(result)


def print_comparison(result: dict[str, Any]) -> None:
    table = Table("label", "n (+)", Column("model", overflow="fold"), "F1 [95%]", "P [95%]",
                  "R [95%]")
    for label, entry in result["labels"].items():
        for name, figures in entry["models"].items():
            table.add_row(plain(label), f"{entry['n']} ({entry['positives']})", plain(name),
                          *(_figure(figures[k]) for k in ("f1", "precision", "recall")))
    out.print(table)
    for name, figure in result.get("macro_f1", {}).items():
        out.print(f"macro F1 {name}: {_figure(figure)}")


def _figure(figure: list[float] | tuple[float, float, float]) -> str:
    return f"{figure[0]:.3f} [{figure[1]:.3f}, {figure[2]:.3f}]"


def _approver_role(store: Store, name: str) -> str | None:
    user = store.users.get(name.strip().lower())
    return user.role if user is not None and not user.disabled else None


def _rescore(store: Store, change: Change) -> None:
    if change.job is None or not store.jobs.claim(change.job.id):
        return
    job = store.jobs.get(change.job.id)
    assert job is not None
    with Progress(TextColumn("nilai ulang / re-score"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, transient=True) as progress:
        task = progress.add_task("reclassify", total=None)
        run_reclassify_job(store, job, on_progress=lambda done, total: progress.update(
            task, completed=done, total=total))
    done = store.jobs.get(job.id)
    if done is not None:
        out.print(f"{done.done:,} post dinilai ulang / posts re-scored (job {done.id})")


@app.command("promote")
def promote_model(
    version: Annotated[str, typer.Argument(help="Versi kandidat / candidate version")],
    approver: ApproverOpt,
    confirm_worse: Annotated[bool, typer.Option(
        "--confirm-worse", help="Tetap tugaskan walau tidak terbukti lebih baik / promote even "
                                "if not shown better on the held-out labels")] = False,
    no_rescore: NoRescoreOpt = False,
    db: DbOption = None,
) -> None:
    """Tugaskan kandidat. / Put a candidate in service, on the held-out evidence."""
    _change(db, partial(promote, version=version, confirm_worse=confirm_worse), approver,
            not no_rescore)


@app.command("rollback")
def rollback_model(
    approver: ApproverOpt,
    version: Annotated[str | None, typer.Argument(
        help="Versi lama (bawaan: yang sebelumnya) / an earlier version (default: the one "
             "before)")] = None,
    no_rescore: NoRescoreOpt = False,
    db: DbOption = None,
) -> None:
    """Kembalikan model sebelumnya. / Put an earlier model back in service."""
    _change(db, partial(rollback, version=version), approver, not no_rescore)


def _change(db: str | None, act: Callable[..., Change], approver: str, rescore: bool) -> None:
    """Run ``promote`` or ``rollback`` for the approver, say what changed, re-score."""
    with store_from(db) as store:
        ensure_bundled(store)
        change = act(store, approver=approver, approver_role=_approver_role(store, approver),
                     actor=cli_actor(), rescore=rescore)
        if change.comparison:
            print_comparison(change.comparison)
        out.print(f"model {change.record.version} bertugas / in service (sebelumnya / before: "
                  f"{change.previous})")
        _rescore(store, change)
