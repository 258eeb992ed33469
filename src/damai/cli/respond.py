"""``damai recommend`` and ``damai evaluate-recommend`` (issue #11): thin wrappers over
:mod:`damai.respond`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Annotated, Any

import orjson
import typer

from damai.cli.common import err, out, parse_when
from damai.errors import InputError
from damai.respond.entries import ImportRefused
from damai.respond.evaluate import read_labelled, score_rankings
from damai.respond.recommend import Recommender, Signals, Usage
from damai.respond.service import recommender_for
from damai.understand.records import parse_line

__all__ = ["evaluate_recommend", "recommend", "recommend_stream"]

KOpt = Annotated[int, typer.Option("--k", min=1, max=50, help="Jumlah rekomendasi per post / "
                                   "recommendations per post")]
LibraryOpt = Annotated[Path | None, typer.Option("--library", help=(
    "Pustaka YAML/CSV (bawaan: pustaka awal) / library file (default: the starter library)"))]
SignalsOpt = Annotated[str, typer.Option("--signals", help=(
    "Sinyal yang dipakai / signals to rank with: all, atau gabungan / or a mix of "
    "labels,bm25,embeddings"))]
UsageOpt = Annotated[Path | None, typer.Option("--usage", help=(
    "JSON {\"last_used\": {ID: waktu ISO}, \"performance\": {ID: 0..1}}: entri yang baru dipakai "
    "diturunkan / recently used entries rank lower"))]
BATCH = 256


def read_usage(path: Path | None) -> Usage:
    """``--usage FILE``: when each entry was last used, and how it performed (0–1)."""
    if path is None:
        return Usage()
    try:
        data = orjson.loads(path.read_bytes())
        last_used = {str(k): parse_when(str(v), "--usage last_used")
                     for k, v in (data.get("last_used") or {}).items()}
        performance = {str(k): float(v) for k, v in (data.get("performance") or {}).items()}
    except (OSError, orjson.JSONDecodeError, AttributeError, TypeError, ValueError) as exc:
        raise InputError(f"--usage {path}: harus JSON {{\"last_used\", \"performance\"}} / "
                         f"must be JSON with last_used and performance ({exc})") from None
    return Usage({k: v for k, v in last_used.items() if v is not None}, performance)


def _recommender(library: Path | None, signals: str) -> Recommender:
    try:
        chosen = Signals.parse(signals)
    except ValueError as exc:
        raise InputError(f"--signals: {exc}") from None
    if library is not None and not library.is_file():
        raise InputError(f"--library {library}: berkas tidak ada / no such file")
    try:
        return recommender_for(library, chosen)
    except ImportRefused as exc:
        raise InputError(f"--library {library}: {exc}") from None


def _lines(source: IO[bytes], name: str) -> Iterator[tuple[dict[str, Any] | None, str | None]]:
    for number, line in enumerate(source, start=1):
        if line.strip():
            yield parse_line(line, name, number)


def recommend_stream(source: IO[bytes], sink: IO[bytes], recommender: Recommender, k: int, *,
                     name: str = "-", usage: Usage | None = None) -> tuple[int, int]:
    """One output line per non-blank input line: ``{"recommendations": [...]}``, or for a bad
    line ``{"recommendations": [], "error": "..."}`` (also printed on stderr). Returns counts."""
    done = bad = 0
    pending: list[tuple[dict[str, Any] | None, str | None]] = []

    def flush() -> None:
        texts = [record["text"] for record, _ in pending if record is not None]
        results = iter(recommender.recommend(texts, k=k, usage=usage))
        for record, why in pending:
            line: dict[str, Any] = ({"recommendations": [], "error": why} if record is None
                                    else next(results).to_dict())
            sink.write(orjson.dumps(line) + b"\n")
        pending.clear()

    for record, why in _lines(source, name):
        if why:
            err.print(why)
            bad += 1
        else:
            done += 1
        pending.append((record, why))
        if len(pending) >= BATCH:
            flush()
    flush()
    return done, bad


def recommend(k: KOpt = 3, library: LibraryOpt = None, signals: SignalsOpt = "all",
              usage: UsageOpt = None) -> None:
    """Rekomendasikan kontra-narasi untuk post JSONL di stdin. / Recommend counter-narratives
    for JSONL posts ({"text": ...}) on stdin."""
    history = read_usage(usage)
    recommender = _recommender(library, signals)
    done, bad = recommend_stream(sys.stdin.buffer, sys.stdout.buffer, recommender, k,
                                 usage=history)
    err.print(f"{done:,} post diberi rekomendasi / recommended, {bad:,} baris buruk / bad lines")


def evaluate_recommend(
    data: Annotated[Path, typer.Option("--data", help="JSONL {\"text\", \"themes\": [...]}")],
    k: KOpt = 3, library: LibraryOpt = None, signals: SignalsOpt = "all",
    as_json: Annotated[bool, typer.Option("--json", help="Keluaran JSON / JSON output")] = False,
) -> None:
    """Ukur hit@1, hit@k dan MRR rekomendasi. / Measure hit@1, hit@k and MRR of the
    recommendations against the themes a reviewer accepts, beside a random ranking."""
    posts = read_labelled(data)
    recommender = _recommender(library, signals)
    results = recommender.recommend([p.text for p in posts], k=len(recommender.entries))
    scores = score_rankings(posts, results, recommender.entries, k)
    if as_json:
        sys.stdout.buffer.write(orjson.dumps(scores.to_dict(), option=orjson.OPT_INDENT_2) + b"\n")
        return
    out.print(f"{scores.posts} post, pustaka / library: {len(recommender.entries)} entri, "
              f"sinyal / signals: {signals}")
    out.print(f"{'':8}{'Damai':>8}{'acak/random':>13}")
    for name, ours, chance in (("hit@1", scores.hit_at_1, scores.random_hit_at_1),
                               (f"hit@{k}", scores.hit_at_k, scores.random_hit_at_k),
                               ("MRR", scores.mrr, scores.random_mrr)):
        out.print(f"{name:8}{ours:8.3f}{chance:13.3f}")
    if scores.no_recommendation:
        out.print(f"{scores.no_recommendation} post tanpa rekomendasi / without a recommendation")
