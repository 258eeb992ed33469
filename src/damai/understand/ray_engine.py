"""Classify sharded JSONL or Parquet archives on Ray (``damai classify --engine ray``).

Scale-out is a runner, not a rewrite: every actor loads the model once with the same
:func:`~damai.understand.bundled.load_model` as the local engine and scores each batch with
:func:`annotate`, which is ``TextClassifier.predict`` plus ``Prediction.to_dict`` merged into the
input record, exactly as ``damai classify`` writes it locally.

The driver only splits the shards into batches (raw JSONL lines, or Arrow record batches for
Parquet); actors parse, score and serialise them, and the driver writes the lines back in input
order, one ``<shard stem>.jsonl`` per input shard. A JSONL line that is not an object with a
string ``text`` (a Parquet row whose ``text`` is null) is skipped and counted, as locally.

Without ``address`` Ray runs on this machine only, bound to 127.0.0.1, without the dashboard and
without usage reporting, and is stopped afterwards. With ``address`` it joins that cluster; the
workers there need Damai installed and the model folder at the same path (the bundled model
ships inside the package).
"""

from __future__ import annotations

import glob
import gzip
import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq
import ray
from ray.util import ActorPool

from damai.errors import InputError
from damai.understand.bundled import DEFAULT_MODEL_DIR, load_model
from damai.understand.model import MODEL_FILE
from damai.understand.records import annotate, parse_line

__all__ = ["BATCH", "Shard", "ShardWorker", "classify_archive", "find_shards",
           "ray_session"]

#: records per batch sent to an actor
BATCH = 1_000
PARQUET_SUFFIXES = frozenset({".parquet", ".pq"})
Say = Callable[[str], None]


# -- input --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Shard:
    """One input file and the JSONL file its results go to."""

    path: Path
    kind: Literal["jsonl", "parquet"]
    output: Path


def _kind(path: Path) -> Literal["jsonl", "parquet"]:
    return "parquet" if path.suffix.lower() in PARQUET_SUFFIXES else "jsonl"


def _stem(path: Path) -> str:
    return Path(path.stem).stem if path.suffix.lower() == ".gz" else path.stem


def _check_parquet(path: Path) -> None:
    try:
        schema = pq.read_schema(path)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"{path}: not a readable Parquet file ({exc}); check the file or "
                         "leave it out of --input") from None
    if "text" not in schema.names:
        raise InputError(f"{path}: no column 'text'; the file has "
                         f"{', '.join(map(repr, schema.names))}. Rename the text column to "
                         "'text'")
    kind = schema.field("text").type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)
            or pa.types.is_string_view(kind)):
        raise InputError(f"{path}: column 'text' holds {kind}, not strings; store the post "
                         "text as a string column")


def find_shards(pattern: str, output_dir: Path) -> list[Shard]:
    """The files ``pattern`` matches, sorted, with their output files; checked before Ray runs."""
    expanded = str(Path(pattern).expanduser())
    paths = sorted(Path(p) for p in glob.glob(expanded, recursive=True)  # noqa: PTH207
                   if Path(p).is_file())
    if not paths:
        raise InputError(f"--input {pattern!r} matches no file; give a glob such as "
                         "'archive/*.jsonl' or 'archive/**/*.parquet' (quote it)")
    shards = [Shard(p, _kind(p), output_dir / f"{_stem(p)}.jsonl") for p in paths]
    seen: dict[Path, Path] = {}
    inputs = {p.resolve() for p in paths}
    for shard in shards:
        if shard.output in seen:
            raise InputError(f"{seen[shard.output]} and {shard.path} would both be written to "
                             f"{shard.output}; give the shards distinct names")
        seen[shard.output] = shard.path
        if shard.output.resolve() in inputs:
            raise InputError(f"--output {output_dir} would overwrite the input {shard.output}; "
                             "choose another folder")
        if shard.kind == "parquet":
            _check_parquet(shard.path)
    return shards


@dataclass(slots=True)
class _Batch:
    """Up to :data:`BATCH` raw JSONL lines or Parquet rows of one shard, starting at ``start``."""

    name: str
    start: int
    lines: list[bytes] | None = None
    rows: pa.RecordBatch | None = None

    def records(self) -> tuple[list[dict[str, Any]], list[str]]:
        """The usable records, and a message for each one skipped (as the local engine words it)."""
        if self.rows is not None:
            return self._rows()
        kept: list[dict[str, Any]] = []
        skipped: list[str] = []
        for number, line in enumerate(self.lines or [], start=self.start):
            if not line.strip():
                continue
            record, why = parse_line(line, self.name, number)
            if record is None:
                skipped.append(str(why))
            else:
                kept.append(record)
        return kept, skipped

    def _rows(self) -> tuple[list[dict[str, Any]], list[str]]:
        kept: list[dict[str, Any]] = []
        skipped: list[str] = []
        for number, row in enumerate(self.rows.to_pylist() if self.rows else [],
                                     start=self.start):
            if isinstance(row.get("text"), str):
                kept.append(row)
            else:
                skipped.append(f"{self.name}: row {number}: lewati / skipped: 'text' is empty "
                               "(null)")
        return kept, skipped


def _open(path: Path) -> IO[bytes]:
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]  # GzipFile reads bytes
    return path.open("rb")


def _batches(shards: list[Shard], size: int) -> Iterator[tuple[int, _Batch]]:
    for index, shard in enumerate(shards):
        name, start = str(shard.path), 1
        if shard.kind == "parquet":
            for rows in pq.ParquetFile(shard.path).iter_batches(batch_size=size):
                yield index, _Batch(name, start, rows=rows)
                start += rows.num_rows
            continue
        with _open(shard.path) as handle:
            while lines := list(islice(handle, size)):
                yield index, _Batch(name, start, lines=lines)
                start += len(lines)


# -- the actor ------------------------------------------------------------------------------------
@dataclass(slots=True)
class _Result:
    lines: list[bytes]
    skipped: list[str] = field(default_factory=list)


class ShardWorker:
    """Loads the model once, then classifies batches. Ray runs it as an actor; tests may not."""

    def __init__(self, model_dir: str | None) -> None:
        self.model = load_model(Path(model_dir) if model_dir else None)

    def classify(self, batch: _Batch) -> _Result:
        records, skipped = batch.records()
        return _Result(annotate(self.model, records) if records else [], skipped)


def _submit(actor: Any, batch: _Batch) -> Any:
    return actor.classify.remote(batch)


# -- output -------------------------------------------------------------------------------------
class _Outputs:
    """Writes each shard's lines to ``<output>.part`` and renames it once the shard is done."""

    def __init__(self, shards: list[Shard]) -> None:
        self.shards = shards
        self.current: int | None = None
        self.handle: IO[bytes] | None = None
        self.done: set[int] = set()

    def _part(self, index: int) -> Path:
        return self.shards[index].output.with_name(self.shards[index].output.name + ".part")

    def write(self, index: int, lines: list[bytes]) -> None:
        if index != self.current:
            self._close()
            self.current, self.handle = index, self._part(index).open("wb")
        assert self.handle is not None
        self.handle.writelines(lines)

    def _close(self) -> None:
        if self.handle is None or self.current is None:
            return
        self.handle.close()
        self._part(self.current).replace(self.shards[self.current].output)
        self.done.add(self.current)
        self.handle = self.current = None

    def finish(self) -> None:
        self._close()
        for index, shard in enumerate(self.shards):
            if index not in self.done:  # a shard with no lines still gets its (empty) file
                shard.output.write_bytes(b"")

    def abort(self) -> None:
        if self.handle is not None and self.current is not None:
            self.handle.close()
            self._part(self.current).unlink(missing_ok=True)
        self.handle = self.current = None


# -- Ray ----------------------------------------------------------------------------------------
@contextmanager
def _loopback_only() -> Iterator[None]:
    """Make a local Ray pick 127.0.0.1 as its node address (its servers bind to that address),
    and keep usage reporting off."""
    from ray._private import ray_constants

    saved = getattr(ray_constants, "ENABLE_RAY_CLUSTER", None)
    usage = os.environ.get("RAY_USAGE_STATS_ENABLED")
    ray_constants.ENABLE_RAY_CLUSTER = False
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    try:
        yield
    finally:
        if saved is not None:
            ray_constants.ENABLE_RAY_CLUSTER = saved
        if usage is None:
            os.environ.pop("RAY_USAGE_STATS_ENABLED", None)
        else:
            os.environ["RAY_USAGE_STATS_ENABLED"] = usage


@contextmanager
def ray_session(address: str | None = None, workers: int | None = None) -> Iterator[int]:
    """Connect to Ray and yield the number of CPUs it reports.

    A Ray already initialised in this process is used as it is and left running. Otherwise
    ``address`` joins a cluster, and no address starts a quiet local Ray on 127.0.0.1 with
    ``workers`` CPUs (default: all); either way it is shut down on exit.
    """
    if not ray.is_initialized():
        quiet: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.ERROR}
        if address:
            ray.init(address=address, **quiet)
        else:
            with _loopback_only():
                ray.init(num_cpus=workers, include_dashboard=False,
                         _node_ip_address="127.0.0.1", **quiet)
        started = True
    else:
        started = False
    try:
        resources: dict[str, float] = ray.cluster_resources()  # type: ignore[no-untyped-call]
        yield max(1, int(resources.get("CPU", 1)))
    finally:
        if started:
            ray.shutdown()


def _check_model(model_dir: Path | None) -> str | None:
    folder = (model_dir or DEFAULT_MODEL_DIR).resolve()
    if not (folder / MODEL_FILE).is_file():
        raise InputError(f"{folder} is not a Damai model: {MODEL_FILE} is missing; train one "
                         "with `damai train` or leave out --model to use the bundled model")
    return str(folder) if model_dir else None


def _run(pool: ActorPool, shards: list[Shard], size: int, window: int,
         warn: Say | None, progress: Callable[[int], None] | None) -> tuple[int, int]:
    """Submit batches (at most ``window`` in flight) and write results in submission order."""
    outputs = _Outputs(shards)
    pending: deque[int] = deque()
    posts = skipped = 0

    def take() -> None:
        nonlocal posts, skipped
        result: _Result = pool.get_next()
        outputs.write(pending.popleft(), result.lines)
        posts, skipped = posts + len(result.lines), skipped + len(result.skipped)
        for message in result.skipped:
            (warn or (lambda _: None))(message)
        if progress:
            progress(posts)

    try:
        for index, batch in _batches(shards, size):
            if len(pending) >= window:
                take()
            pool.submit(_submit, batch)
            pending.append(index)
        while pending:
            take()
    except BaseException:
        outputs.abort()
        raise
    outputs.finish()
    return posts, skipped


def classify_archive(input_glob: str, output_dir: Path, model_dir: Path | None = None, *,
                     address: str | None = None, workers: int | None = None,
                     batch: int = BATCH, warn: Say | None = None,
                     progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Classify every JSONL/Parquet shard ``input_glob`` matches into ``output_dir``.

    ``workers`` actors (default: the CPUs Ray reports) each load the model once. ``warn`` gets
    a message per skipped record, ``progress`` the number of posts written so far. Returns
    ``posts``, ``files``, ``skipped``, ``workers``, ``seconds`` (the whole call) and
    ``startup_seconds`` (checking the input and starting Ray, before any actor exists).
    """
    if workers is not None and workers < 1:
        raise InputError(f"workers must be at least 1, not {workers}")
    started = time.perf_counter()
    shards = find_shards(input_glob, output_dir)
    model = _check_model(model_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    with ray_session(address, workers) as cpus:
        ready = time.perf_counter()
        count = workers or cpus
        # more workers than CPUs share them rather than wait for CPUs that never come free
        actor = ray.remote(num_cpus=min(1.0, cpus / count))(ShardWorker)
        pool = ActorPool([actor.remote(model) for _ in range(count)])
        posts, skipped = _run(pool, shards, batch, 2 * count, warn, progress)
    return {"posts": posts, "files": len(shards), "skipped": skipped, "workers": count,
            "seconds": round(time.perf_counter() - started, 3),
            "startup_seconds": round(ready - started, 3)}
