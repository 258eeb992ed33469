"""The model registry: every model a version with a history, and the one in service.

**Registering.** :func:`register` records a model folder: its version, parent, kind (bundled,
trained, adapted), the data it learnt from by name and count, its metrics, who created it and when.
A trained or adapted model's files go into the database as one tar (:func:`pack`) with its
SHA-256, so every server process and host loads the same model; the bundled model is registered
by reference (it ships inside the package). :func:`ensure_bundled` registers the bundled model
and puts it in service on a store where no model was ever in service.

**Serving.** :func:`serving` is what ingest, ``damai classify``/``reclassify``, the API and the
dashboard score with (a ``--model FOLDER`` overrides it). It reads which version is in service
(one small indexed row) and loads it once per process: an archive is unpacked into
``DATA_DIR/models/SHA256/`` after its SHA-256 is checked. A version that cannot load (a damaged or
missing archive, a bundled model this Damai no longer ships) never takes the service down: it is
marked ``broken`` with the error (audited), and the service falls back to the model in service
before it, and in the end to the bundled model.

**Promoting.** :func:`promote` asks for an approver, scores the candidate and the model in
service on the held-out labels (:mod:`damai.pipeline.heldout`), refuses a candidate that is not
shown at least as good unless the person confirms, and puts it in service with an audit entry
that holds the figures. :func:`rollback` puts an earlier version back, in one action. Both queue a
``reclassify`` job (:mod:`damai.pipeline.jobs`) that re-scores the stored posts.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
import shutil
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from damai import settings
from damai.errors import InputError, ModelError, StorageError
from damai.roles import role_at_least
from damai.storage import Job, Store
from damai.storage.models import AuditNote, ModelRecord
from damai.understand import bundled
from damai.understand.model import MODEL_FILE, TextClassifier
from damai.understand.types import Prediction

__all__ = ["SYSTEM", "Change", "InService", "Served", "cache_dir", "describe", "ensure_bundled",
           "load_version", "pack", "promote", "register", "rollback", "serving", "unpack"]

log = logging.getLogger("damai.registry")
#: the audit actor of what Damai does by itself (registering the bundled model, marking broken)
SYSTEM: Final = "system"
#: files of a model folder that go into its archive
_FILES: Final = ("model.json", "weights.npz", "MODEL_CARD.md", "metrics.json")


def cache_dir() -> Path:
    return settings.data_dir() / "models"


# -- archives -----------------------------------------------------------------------------------
def pack(folder: Path) -> bytes:
    """The model files of ``folder`` as a gzip tar that depends only on their content (sorted,
    no times, no owners), so the same model always has the same SHA-256."""
    buffer = io.BytesIO()
    # gzip writes the time into its header unless told not to (mtime=0)
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=6, mtime=0) as zipped, \
            tarfile.open(fileobj=zipped, mode="w") as tar:
        for name in _FILES:
            path = folder / name
            if not path.is_file():
                continue
            info = tarfile.TarInfo(name)
            data = path.read_bytes()
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def unpack(archive: bytes, sha256: str, target: Path) -> Path:
    """Check the archive against its SHA-256 and unpack it into ``target`` (atomic: a half
    unpacked folder is never seen); a :class:`ModelError` when it is damaged."""
    actual = hashlib.sha256(archive).hexdigest()
    if actual != sha256:
        raise ModelError(f"the stored archive is damaged: its SHA-256 is {actual[:12]}…, the "
                         f"registry expects {sha256[:12]}…")
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".unpack-", dir=target.parent))
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:*") as tar:
            members = [m for m in tar.getmembers() if m.isfile() and m.name in _FILES]
            tar.extractall(work, members=members, filter="data")
        if not (work / MODEL_FILE).is_file():
            raise ModelError(f"the stored archive holds no {MODEL_FILE}")
        _move(work, target)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ModelError(f"the stored archive cannot be unpacked ({type(exc).__name__}: "
                         f"{exc})") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _move(work: Path, target: Path) -> None:
    try:
        work.replace(target)
    except OSError:
        if not (target / MODEL_FILE).is_file():  # (not just another process unpacking it too)
            raise


# -- registering --------------------------------------------------------------------------------
def _is_bundled(folder: Path) -> bool:
    return folder.resolve() == bundled.DEFAULT_MODEL_DIR.resolve()


def _name(path: object) -> str:
    """A data file's name with its folder (``radicalism/train.csv``), never the whole path."""
    parts = Path(str(path)).parts
    return "/".join(parts[-2:]) if len(parts) > 1 else str(path)


def _data(meta: dict[str, Any]) -> list[dict[str, Any]]:
    """What a model learnt from, by name and count: never a whole path, never text."""
    rows = meta.get("train", {}).get("rows")
    found = []
    for item in meta.get("data", []):
        if isinstance(item, dict):
            found.append({"name": _name(item.get("name", "?")), "rows": item.get("rows"),
                          **({"labels": item["labels"]} if "labels" in item else {})})
        else:
            found.append({"name": _name(item), "rows": None})
    return found or ([{"name": "?", "rows": rows}] if rows else [])


def _metrics(model: TextClassifier, folder: Path) -> dict[str, Any]:
    metrics: dict[str, Any] = {}
    if "adapted" in model.meta:
        metrics["adapted"] = model.meta["adapted"]
    path = folder / "metrics.json"
    if path.is_file():
        try:
            evaluations = json.loads(path.read_text(encoding="utf-8")).get("evaluations", [])
        except (ValueError, AttributeError):
            evaluations = []
        metrics["evaluations"] = [
            {"set": e.get("set"), "macro_f1": e.get("result", {}).get("macro_f1"),
             "f1": {k: v.get("f1") for k, v in e.get("result", {}).get("labels", {}).items()}}
            for e in evaluations if isinstance(e, dict)]
    return metrics


def describe(model: TextClassifier, folder: Path, *, created_by: str) -> ModelRecord:
    """The registry row for a loaded model (not yet stored)."""
    kind = "bundled" if _is_bundled(folder) else (
        "adapted" if "adapted" in model.meta else "trained")
    return ModelRecord(id=0, version=model.version, parent=model.meta.get("parent"), kind=kind,
                       status="candidate", labels=list(model.labels), data=_data(model.meta),
                       metrics=_metrics(model, folder), created_by=created_by,
                       created_at=datetime.now(UTC))


def register(store: Store, folder: Path, *, actor: str, ip: str | None = None,
             extra: dict[str, Any] | None = None) -> ModelRecord:
    """Register the model in ``folder`` as a candidate. The same files again give the row it
    has; for a version marked broken (its stored archive damaged), they repair it."""
    # an InputError names what is wrong with the folder (the bundled model is loaded once)
    model = bundled.load_model(None) if _is_bundled(folder) else TextClassifier.load(folder)
    record = describe(model, folder, created_by=actor)
    if extra:
        record = replace(record, metrics={**record.metrics, **extra.get("metrics", {})},
                         data=extra.get("data", record.data))
    archive = None if record.kind == "bundled" else pack(folder)
    if archive is not None:
        record = replace(record, sha256=hashlib.sha256(archive).hexdigest(), size=len(archive))
    existing = store.models.get(record.version)
    if existing is not None:
        if existing.sha256 == record.sha256 and existing.status == "broken" and archive:
            return store.models.repair(record.version, archive, AuditNote(
                actor, "model_repair", {"error": existing.error}, ip))
        if existing.sha256 == record.sha256:
            return existing
        raise InputError(f"model {record.version} is already registered with other files; "
                         "give the new one another version")
    note = AuditNote(actor, "model_register", {"kind": record.kind, "parent": record.parent,
                                               "data": record.data, "size": record.size}, ip)
    return store.models.add(record, archive, note)


def ensure_bundled(store: Store) -> ModelRecord | None:
    """Register the bundled model (once), and put it in service if no model ever was."""
    if not (bundled.DEFAULT_MODEL_DIR / MODEL_FILE).is_file():
        return None
    model = bundled.load_model(None)
    record = store.models.get(model.version)
    if record is None:
        try:
            record = register(store, bundled.DEFAULT_MODEL_DIR, actor=SYSTEM)
        except InputError:  # another process registered it first
            record = store.models.get(model.version)
            if record is None:
                raise
    if store.models.in_service() is None and not any(
            m.promoted_at for m in store.models.all()):
        record = store.models.put_in_service(record.version, SYSTEM, AuditNote(
            SYSTEM, "model_promote", {"reason": "the bundled model, on a store without one"}))
    return record


# -- serving ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Served:
    """The model to score with, where it came from, and what went wrong on the way."""

    model: TextClassifier
    folder: Path
    record: ModelRecord | None
    notices: list[str] = field(default_factory=list)

    @property
    def version(self) -> str:
        return self.model.version


def load_version(store: Store, record: ModelRecord) -> tuple[TextClassifier, Path]:
    """The model of a registry row, loaded once per process; :class:`ModelError` if it cannot
    load."""
    if record.sha256 is None:
        folder = bundled.DEFAULT_MODEL_DIR
    else:
        folder = cache_dir() / record.sha256
        if not (folder / MODEL_FILE).is_file():
            archive = store.models.archive(record.version)
            if archive is None:
                raise ModelError(f"model {record.version} has no stored archive")
            unpack(archive, record.sha256, folder)
    try:
        model = bundled.load_model(folder)
    except InputError as exc:
        raise ModelError(f"model {record.version} cannot load: {exc.message}") from None
    if model.version != record.version:
        raise ModelError(f"model {record.version} is not what its files hold ({model.version}); "
                         "this Damai no longer ships it, or the files were replaced")
    return model, folder


def _service_order(store: Store) -> Iterator[ModelRecord]:
    """The model in service, then (only if it cannot load) the ones in service before it."""
    current = store.models.in_service()
    if current is not None:
        yield current
    yield from store.models.served_before()


def serving(store: Store, model_dir: Path | None = None) -> Served:
    """The model in service (see the module doc), or the one in ``model_dir``."""
    if model_dir is not None:
        return Served(bundled.load_model(model_dir), model_dir, None)
    notices: list[str] = []
    for record in _service_order(store):
        try:
            model, folder = load_version(store, record)
        except ModelError as exc:
            notices.append(f"{record.version}: {exc.message}")
            log.error("model %s cannot load: %s", record.version, exc.message)
            _mark_broken(store, record, exc.message)
            continue
        return Served(model, folder, record, notices)
    return Served(bundled.load_model(None), bundled.DEFAULT_MODEL_DIR, None, notices)


def _mark_broken(store: Store, record: ModelRecord, error: str) -> None:
    try:
        store.models.mark_broken(record.version, error, AuditNote(
            SYSTEM, "model_broken", {"status": record.status}))
    except StorageError:  # the service goes on; the next process tries again
        log.exception("could not mark model %s broken", record.version)


class InService:
    """A classifier that is always the model in service, looked up for each batch, so a
    long-running ingest or ``damai watch`` scores with a newly promoted model from its next
    batch on (:class:`damai.pipeline.classify.Classifier`)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def version(self) -> str:
        return serving(self.store).version

    def predict(self, texts: Sequence[str], *, explain: bool = True) -> list[Prediction]:
        return serving(self.store).model.predict(texts, explain=explain)


# -- promoting ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Change:
    """A model put in service: its row, the held-out figures, and the re-scoring job."""

    record: ModelRecord
    previous: str
    comparison: dict[str, Any]
    job: Job | None


def check_approver(role: str | None, name: str) -> None:
    if role is None or not role_at_least(role, "approver"):
        raise InputError(f"{name!r} is not an approver: putting a model in service needs a user "
                         "with the role approver or admin (`damai user add NAME --role "
                         "approver`)")


def _candidate(store: Store, version: str) -> tuple[ModelRecord, TextClassifier]:
    record = store.models.get(version)
    if record is None:
        raise InputError(f"no model {version!r} is registered; `damai model list` shows the "
                         "versions")
    if record.status == "broken":
        raise ModelError(f"model {version} is broken: {record.error}")
    try:
        model, _ = load_version(store, record)
    except ModelError as exc:
        _mark_broken(store, record, exc.message)
        raise ModelError(f"model {version} cannot be put in service, and is marked broken: "
                         f"{exc.message}. The model in service stays") from None
    return record, model


def promote(store: Store, version: str, *, approver: str, approver_role: str | None,
            actor: str, ip: str | None = None, confirm_worse: bool = False,
            rescore: bool = True) -> Change:
    """Put a candidate in service on the evidence of the held-out labels (module doc)."""
    from damai.pipeline import heldout

    check_approver(approver_role, approver)
    record, candidate = _candidate(store, version)
    if record.status == "in_service":
        raise InputError(f"model {version} is already in service")
    served = serving(store)
    table = heldout.to_table(heldout.split_corrections(store).heldout)
    comparison = heldout.compare({served.version: served.model, version: candidate}, table)
    gain = heldout.difference(comparison, version, served.version)
    if (gain is None or gain < 0) and not confirm_worse:
        raise ModelError(
            f"kandidat {version} tidak terbukti lebih baik / candidate {version} is not shown "
            "to be better than the model in service on the held-out labels ("
            + ("no held-out label judges both models" if gain is None else
               f"macro F1 {gain:+.4f}") + "); confirm to promote it anyway "
            "(--confirm-worse, or the confirmation box on the model page)", code="E501")
    detail = {"from": served.version, "approver": approver, "macro_f1_gain": gain,
              "confirmed_worse": bool(gain is None or gain < 0), "figures": _summary(comparison)}
    changed = store.models.put_in_service(version, approver, AuditNote(
        actor, "model_promote", detail, ip))
    return Change(changed, served.version, comparison, _rescore(store, actor, ip, version,
                                                                rescore))


def rollback(store: Store, version: str | None = None, *, approver: str,
             approver_role: str | None, actor: str, ip: str | None = None,
             rescore: bool = True) -> Change:
    """Put an earlier model back in service (by default the one before the current)."""
    check_approver(approver_role, approver)
    if version is None:
        earlier = store.models.served_before()
        if not earlier:
            raise InputError("no earlier model was in service; `damai model list` shows them")
        version = earlier[0].version
    record, _ = _candidate(store, version)
    if record.status == "in_service":
        raise InputError(f"model {version} is already in service")
    current = store.models.in_service()
    previous = current.version if current else serving(store).version
    changed = store.models.put_in_service(version, approver, AuditNote(
        actor, "model_rollback", {"from": previous, "approver": approver}, ip))
    return Change(changed, previous, {}, _rescore(store, actor, ip, version, rescore))


def _rescore(store: Store, actor: str, ip: str | None, version: str, rescore: bool) -> Job | None:
    if not rescore:
        return None
    return store.jobs.add("reclassify", actor=actor, ip=ip, detail={"version": version})


def _summary(comparison: dict[str, Any]) -> dict[str, Any]:
    """The figures an audit entry keeps: macro F1 and each judged label's F1 per model."""
    return {"rows": comparison.get("rows", 0), "macro_f1": comparison.get("macro_f1", {}),
            "f1": {label: {m: v["f1"] for m, v in entry["models"].items()}
                   for label, entry in comparison.get("labels", {}).items()
                   if label in comparison.get("judged", [])}}
