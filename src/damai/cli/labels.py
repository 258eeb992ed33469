"""``damai reclassify``, and the label options and classifier set-up other commands share."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from damai.cli.common import DbOption, err, out, store_from
from damai.pipeline.classify import ClassifyStage
from damai.pipeline.classify import reclassify as reclassify_store
from damai.records import Post
from damai.storage import Store

__all__ = [
    "FlaggedOpt",
    "LabelOpt",
    "MaxScoreOpt",
    "MinScoreOpt",
    "ModelOpt",
    "NoClassifyOpt",
    "classifier_for",
    "reclassify",
    "text_cell",
]

LabelOpt = Annotated[str | None, typer.Option(
    "--label", help="Hanya post yang ditandai label ini / only posts flagged with this label "
                    "(dengan / with --min-score, --max-score: any score in range)")]
MinScoreOpt = Annotated[float | None, typer.Option(
    "--min-score", min=0.0, max=1.0, help="Skor label minimal / lowest label score (inclusive)")]
MaxScoreOpt = Annotated[float | None, typer.Option(
    "--max-score", min=0.0, max=1.0, help="Skor label maksimal / highest label score "
                                          "(inclusive)")]
FlaggedOpt = Annotated[bool | None, typer.Option(
    "--flagged/--not-flagged", help="Dengan --label: hanya yang ditandai / tidak ditandai / "
                                    "with --label: only flagged / only not flagged posts")]
ModelOpt = Annotated[Path | None, typer.Option(
    "--model", help="Folder model (bawaan: model yang bertugas) / model folder (default: the "
                    "model in service, `damai model list`)")]
NoClassifyOpt = Annotated[bool, typer.Option(
    "--no-classify", help="Simpan tanpa label / store posts without scoring them")]

MISSING_MODEL_NOTICE = (
    "catatan: model bawaan belum ada, jadi post disimpan tanpa label. Latih model dengan "
    "`damai train`, lalu jalankan `damai reclassify --model FOLDER`. / note: the bundled model "
    "is missing, so posts are stored without labels; train one with `damai train`, then run "
    "`damai reclassify --model DIR`.")


def text_cell(post: Post) -> Text:
    """A post's text for ``damai posts``, with its top-level flags on a second line."""
    cell = Text(post.text[:160].replace("\n", " "))  # user data: never read as markup
    top = [flag for flag in post.flags if "." not in flag]
    if top:
        cell.append("\ntanda / flags: " + ", ".join(top), style="yellow")
    return cell


def classifier_for(store: Store, model_dir: Path | None, *,
                   enabled: bool = True) -> ClassifyStage | None:
    """The classify stage for ingest and watch: ``model_dir``, or the model in service (looked
    up for each batch, so a model promoted meanwhile scores the next batch).

    Without any model, posts are stored unscored and one notice says what to do; a
    ``model_dir`` that is not a model is the user's mistake and raises.
    """
    if not enabled:
        return None
    from damai.pipeline.registry import InService
    from damai.understand import bundled
    from damai.understand.model import MODEL_FILE

    if model_dir is not None:
        return ClassifyStage(bundled.load_model(model_dir))
    if (store.models.in_service() is None
            and not (bundled.DEFAULT_MODEL_DIR / MODEL_FILE).is_file()):
        err.print(MISSING_MODEL_NOTICE)
        return None
    return ClassifyStage(InService(store))


def reclassify(
    model_dir: ModelOpt = None,
    everything: Annotated[bool, typer.Option(
        "--all", help="Nilai ulang semua post / re-score every post, not only stale ones")]
    = False,
    batch_size: Annotated[int, typer.Option(min=1, help="Post per transaksi / posts per "
                                            "transaction")] = 1000,
    as_json: Annotated[bool, typer.Option("--json", help="Ringkasan JSON / JSON summary")] = False,
    db: DbOption = None,
) -> None:
    """Nilai ulang post dengan model yang bertugas. / Re-score stored posts with the model in
    service (or --model)."""
    from damai.pipeline.registry import serving

    with store_from(db) as store, Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(),
        MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True,
        disable=as_json,
    ) as progress:
        task = progress.add_task("reclassify", total=None)
        stage = ClassifyStage(serving(store, model_dir).model)
        report = reclassify_store(
            store, stage, everything=everything, batch_size=batch_size,
            on_progress=lambda done, total: progress.update(task, completed=done, total=total))
    if as_json:
        sys.stdout.write(orjson.dumps(report.to_dict()).decode() + "\n")
        return
    out.print(f"model {report.model_version}: {report.updated:,} of {report.candidates:,} posts "
              f"dinilai ulang / re-scored, {report.flagged:,} ditandai / flagged")
