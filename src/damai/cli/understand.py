"""``damai train``, ``damai evaluate`` and ``damai classify``.

The names and flags are a contract: external evaluations call them.
"""

from __future__ import annotations

import io
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Annotated, Any

import orjson
import typer

from damai.cli.common import DbOption, err, out, store_from
from damai.errors import InputError, StorageError
from damai.understand.bundled import load_model
from damai.understand.data import Table, columns_of, combine, dedupe, parse_labels, read_table
from damai.understand.evaluate import cross_validate, evaluate_model
from damai.understand.model import TrainConfig, train_classifier
from damai.understand.records import annotate, parse_line

__all__ = ["classify", "evaluate", "served_folder", "train"]

DataOpt = Annotated[list[Path], typer.Option("--data", help="CSV berlabel / labelled CSV "
                                             "(ulangi / repeat for several files)")]
TextColOpt = Annotated[list[str], typer.Option("--text-col", help="Kolom teks / text column "
                                               "(sekali, atau sekali per --data / once, or once "
                                               "per --data)")]
LabelsOpt = Annotated[list[str], typer.Option("--labels", help="NAME=COLUMN[:VALUE][,...] "
                                              "(sekali, atau sekali per --data)")]


def _per_file(values: list[str], files: int, option: str) -> list[str]:
    if len(values) == 1:
        return values * files
    if len(values) != files:
        raise InputError(f"give {option} once, or once per --data ({files} times), not "
                         f"{len(values)} times")
    return values


DedupeOpt = Annotated[bool, typer.Option("--dedupe", help="Buang teks ganda / drop repeated "
                                          "texts (first kept)")]


def load_tables(data: list[Path], text_cols: list[str], labels: list[str], *,
                drop_duplicates: bool = False) -> Table:
    """Read and combine the files; with several files, a column a file lacks is unknown."""
    cols = _per_file(text_cols, len(data), "--text-col")
    specs_per_file = [parse_labels(s) for s in _per_file(labels, len(data), "--labels")]
    tables = []
    for path, col, specs in zip(data, cols, specs_per_file, strict=True):
        if len(data) > 1 and len(labels) == 1:
            present = columns_of(path)
            specs = [s for s in specs if s.constant is not None or s.column in present] or specs
        tables.append(read_table(path, col, specs))
    table = combine(tables)
    if drop_duplicates:
        before = len(table.texts)
        table = dedupe(table)
        err.print(f"{before - len(table.texts):,} duplicate texts dropped")
    return table


def train(
    data: DataOpt,
    text_col: TextColOpt,
    labels: LabelsOpt,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder model / model folder")],
    c: Annotated[float, typer.Option("--c", help="Regularisasi / inverse regularisation")] = 4.0,
    name: Annotated[str, typer.Option(help="Nama versi / version prefix")] = "damai",
    drop_duplicates: DedupeOpt = False,
    stream_prevalence: Annotated[float, typer.Option(
        "--stream-prevalence", min=0.0, max=0.5,
        help="Porsi post berlabel di aliran nyata untuk setiap ambang / share of a real stream "
             "every label's threshold is tuned for (0 = the taxonomy's stream_share per label, "
             "else the best F1 on the data)")] = 0.0,
    background: Annotated[list[Path] | None, typer.Option(
        "--background", help="Berkas --data berisi post sehari-hari (latar aliran) / a --data "
                             "file of everyday posts that stand for the stream (repeatable)")]
    = None,
    mask_names: Annotated[bool, typer.Option(
        "--mask-names", help="Samarkan nama orang / mask person names as _tokoh_")] = False,
) -> None:
    """Latih model dari CSV/JSONL berlabel. / Train a model from labelled CSV or JSONL files."""
    unknown = [str(b) for b in background or [] if b not in data]
    if unknown:
        raise InputError(f"--background {', '.join(unknown)} is not one of the --data files; "
                         "give the same path to both")
    table = load_tables(data, text_col, labels, drop_duplicates=drop_duplicates)
    config = TrainConfig(c=c, stream_prevalence=stream_prevalence, mask_names=mask_names,
                         background=frozenset(str(b) for b in background or []))
    rows = Counter(table.source)  # by file name and count: never a path or a row's text
    model = train_classifier(table, config, name=name, progress=err.print, extra_meta={
        "data": [{"name": "/".join(Path(p).parts[-2:]), "rows": rows[str(p)]}
                 for p in dict.fromkeys(data)]})
    model.save(out_dir)
    out.print(f"model {model.version} saved to {out_dir}: labels {', '.join(model.labels)}")


def evaluate(
    data: DataOpt,
    text_col: TextColOpt,
    labels: LabelsOpt,
    model_dir: Annotated[Path | None, typer.Option("--model", help="Folder model (bawaan: model "
                                                   "bawaan / default: bundled)")] = None,
    cv: Annotated[int | None, typer.Option("--cv", min=2, help="K-fold pada satu berkas / "
                                           "K-fold on one file")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    drop_duplicates: DedupeOpt = False,
) -> None:
    """Ukur kualitas model. / Measure a model's quality (precision, recall, F1)."""
    table = load_tables(data, text_col, labels, drop_duplicates=drop_duplicates)
    if cv:
        config = TrainConfig()
        if model_dir is not None:
            config = TrainConfig(c=float(load_model(model_dir).meta["train"]["c"]))
        result = cross_validate(table, cv, config, progress=err.print)
    else:
        result = evaluate_model(load_model(model_dir), table)
    if as_json:
        sys.stdout.write(orjson.dumps(result).decode() + "\n")
        return
    for name, m in result["labels"].items():
        out.print(f"{name:<32} P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}  "
                  f"support {m['support']}  threshold {m['threshold']:.3f}  "
                  f"flagged {m['flag_rate']:.1%}")
    out.print(f"macro F1 {result['macro_f1']:.4f}")
    if "any_flag_rate" in result:
        out.print(f"rows with any flag / baris bertanda {result['any_flag_rate']:.1%}")


def _plain_text(line: bytes, name: str, number: int) -> tuple[dict[str, Any] | None,
                                                                 str | None]:
    try:
        return {"text": line.decode("utf-8").strip()}, None
    except UnicodeDecodeError as exc:
        return None, f"{name}:{number}: lewati / skipped: not UTF-8 ({exc.reason})"


def _read_jsonl(handle: IO[bytes], name: str) -> Iterator[dict[str, Any] | None]:
    """Each line as a record: a JSON line (starting with ``{``, ``[`` or ``"``) is read as JSON
    and needs a string ``text``; any other line is itself the text to classify."""
    for number, line in enumerate(handle, start=1):
        stripped = line.strip().removeprefix(b"\xef\xbb\xbf")
        if not stripped:
            continue
        if stripped[:1] in (b"{", b"[", b'"'):
            record, why = parse_line(line, name, number)
        else:
            record, why = _plain_text(stripped, name, number)
        if why:
            err.print(why)
        yield record


def classify_stream(source: IO[bytes], sink: IO[bytes], model_dir: Path | None, *,
                    name: str = "-", batch: int = 512, explain: bool = True) -> tuple[int, int]:
    """JSONL in, JSONL out with ``labels``, ``flags``, ``language`` and (unless ``explain`` is
    false) ``explanations`` added. Returns counts."""
    model = load_model(model_dir)
    done = skipped = 0
    pending: list[dict[str, Any]] = []

    def flush() -> None:
        sink.writelines(annotate(model, pending, explain=explain))
        pending.clear()

    for record in _read_jsonl(source, name):
        if record is None:
            skipped += 1
            continue
        pending.append(record)
        done += 1
        if len(pending) >= batch:
            flush()
    flush()
    return done, skipped


def served_folder(db: str | None, model_dir: Path | None) -> Path | None:
    """``--model``, or the folder of the model in service in the store (None, the bundled
    model, when the store cannot be read: classifying a file never needs the database)."""
    if model_dir is not None:
        return model_dir
    from damai.pipeline.registry import serving

    try:
        with store_from(db) as store:
            return serving(store).folder
    except StorageError as exc:
        err.print(f"catatan / note: {exc.message}; memakai model bawaan / using the bundled "
                  "model")
        return None


def classify(
    texts: Annotated[list[str] | None, typer.Argument(
        help="Teks untuk diklasifikasi (bawaan: baca --input) / texts to classify (default: "
             "read --input)", show_default=False)] = None,
    model_dir: Annotated[Path | None, typer.Option("--model", help=(
        "Folder model (bawaan: model yang bertugas) / model folder (default: the model in "
        "service, `damai model list`)"))] = None,
    input_path: Annotated[str, typer.Option("--input", help="JSONL (- = stdin); dengan --engine "
                                            "ray: GLOB")] = "-",
    output: Annotated[str, typer.Option("--output", help="JSONL (- = stdout); dengan --engine "
                                        "ray: folder")] = "-",
    engine: Annotated[str, typer.Option(help="local | ray")] = "local",
    address: Annotated[str | None, typer.Option(help="Alamat klaster Ray / Ray cluster "
                                                "address")] = None,
    explain: Annotated[bool, typer.Option("--explain/--no-explain", help=(
        "Tulis istilah penyebab tiap flag (lebih lambat) / write the terms behind each flag "
        "(slower)"))] = True,
    db: DbOption = None,
) -> None:
    """Klasifikasikan teks atau JSONL. / Classify texts or JSONL posts.

    `damai classify "teks"` menilai teks yang diberi; tanpa teks, tiap baris --input (stdin)
    dinilai: baris JSON perlu kolom 'text', baris lain adalah teksnya sendiri. / With texts as
    arguments, classifies them; otherwise each --input line: a JSON line needs a 'text' field,
    any other line is the text itself."""
    if texts and input_path != "-":
        raise InputError("beri teks ATAU --input, bukan keduanya / give texts OR --input, "
                         "not both")
    if engine == "ray" and not explain:
        raise InputError("--no-explain works with --engine local only for now; the Ray engine "
                         "always writes explanations")
    model_dir = served_folder(db, model_dir)
    if engine == "ray":
        from damai.understand.ray_engine import classify_archive

        report = classify_archive(input_path, Path(output), model_dir, address=address,
                                  warn=err.print)
        err.print(f"{report['posts']:,} posts in {report['files']} file(s) → {output}; "
                  f"{report['skipped']:,} skipped")
        return
    if engine != "local":
        raise InputError(f"unknown --engine {engine!r}; choose local or ray")
    with ExitStack() as stack:
        source: IO[bytes] = (io.BytesIO(b"".join(orjson.dumps({"text": t}) + b"\n"
                                                 for t in texts)) if texts
                             else sys.stdin.buffer if input_path == "-"
                             else stack.enter_context(_open_in(Path(input_path))))
        sink = sys.stdout.buffer if output == "-" else stack.enter_context(
            Path(output).open("wb"))
        done, skipped = classify_stream(source, sink, model_dir, name=input_path,
                                        explain=explain)
    err.print(f"{done:,} classified, {skipped:,} skipped")


def _open_in(path: Path) -> IO[bytes]:
    if not path.is_file():
        raise InputError(f"no such file: {path}")
    return path.open("rb")
