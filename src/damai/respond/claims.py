"""Fact-check claims: their fields, their verdicts, and reading them from a file (issue #11).

A claims file is CSV with the columns ``claim_id,claim,verdict,explanation,source_url,date``, or
the same fields as JSON (a list of objects, or an object with a ``claims`` list) or JSONL (one
object a line). Every row is checked and the problems are reported row by row; an import with any
problem imports nothing (:func:`read_claims` raises :class:`ImportRefused`, the library's own).

Verdicts are a small fixed set (:data:`VERDICTS`). A post that matches a ``false`` or
``misleading`` claim is a hoax (:data:`FLAGGING`); a match to a ``true`` or ``unproven`` claim is
recorded and shown, never flagged.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from damai.respond.entries import ImportRefused, RowProblem, check_rows

__all__ = ["FIELDS", "FLAGGING", "VERDICTS", "Claim", "ImportRefused", "RowProblem",
           "check_claim", "claims_hash", "parse_claims", "read_claim_rows", "read_claims"]

#: verdict → (Indonesian name, English name)
VERDICTS: dict[str, tuple[str, str]] = {
    "false": ("Salah", "False"),
    "misleading": ("Menyesatkan", "Misleading"),
    "true": ("Benar", "True"),
    "unproven": ("Belum terbukti", "Unproven"),
}
#: the verdicts whose match flags a post as ``hoax``
FLAGGING = frozenset({"false", "misleading"})
FIELDS = ("claim_id", "claim", "verdict", "explanation", "source_url", "date")
MAX_CLAIM = 1000
MAX_EXPLANATION = 5000


@dataclass(frozen=True, slots=True)
class Claim:
    """One checked claim: what is said, the verdict on it, and why (``explanation``, in
    Indonesian, which becomes the suggested response to a post that repeats it)."""

    claim_id: str
    claim: str
    verdict: str
    explanation: str
    source_url: str
    date: date

    @property
    def flags(self) -> bool:
        """Whether a post repeating this claim is a hoax."""
        return self.verdict in FLAGGING

    def as_dict(self) -> dict[str, Any]:
        return {"claim_id": self.claim_id, "claim": self.claim, "verdict": self.verdict,
                "explanation": self.explanation, "source_url": self.source_url,
                "date": self.date.isoformat()}


def _text(value: object) -> str | None:
    if value is None:
        return None
    out = str(value).strip()
    return out or None


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def check_claim(raw: Mapping[str, object], row: int) -> tuple[Claim | None, list[RowProblem]]:
    """One row → a claim, or the list of what is wrong with it."""
    values = {name: _text(raw.get(name)) for name in FIELDS}
    problems: list[RowProblem] = []

    def bad(name: str, message: str) -> None:
        problems.append(RowProblem(row, values["claim_id"], name, message))

    for name in FIELDS:
        if values[name] is None:
            bad(name, "wajib diisi / required")
    verdict = (values["verdict"] or "").lower()
    if values["verdict"] is not None and verdict not in VERDICTS:
        bad("verdict", f"putusan tidak dikenal / unknown verdict {values['verdict']!r}; "
                       f"pilih / choose {', '.join(VERDICTS)}")
    url = values["source_url"]
    if url is not None and not url.startswith(("http://", "https://")):
        bad("source_url", "harus tautan http(s) / must be an http(s) link")
    day = _date(values["date"]) if values["date"] is not None else None
    if values["date"] is not None and day is None:
        bad("date", f"tanggal tidak sah / not a date {values['date']!r}; tulis / write YYYY-MM-DD")
    for name, limit in (("claim", MAX_CLAIM), ("explanation", MAX_EXPLANATION)):
        value = values[name]
        if value is not None and len(value) > limit:
            bad(name, f"{len(value)} karakter, batas {limit} / "
                      f"{len(value)} characters, limit {limit}")
    if problems or day is None:
        return None, problems
    return Claim(values["claim_id"] or "", values["claim"] or "", verdict,
                 values["explanation"] or "", url or "", day), []


def parse_claims(rows: Iterable[object]) -> list[Claim]:
    """Check every row; raise :class:`ImportRefused` with every problem, or return all claims."""
    return check_rows(rows, check_claim, "claim_id", lambda claim: claim.claim_id,
                      "bukan objek / not an object")


def _refused(message: str) -> ImportRefused:
    return ImportRefused([RowProblem(0, None, "-", message)])


def _jsonl(text: str) -> list[object]:
    rows: list[object] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                rows.append(orjson.loads(line))
            except orjson.JSONDecodeError as exc:
                raise _refused(f"baris {number}: JSON rusak / malformed JSON ({exc})") from None
    return rows


def read_claim_rows(path: Path) -> list[object]:
    """The raw rows of a claims file: ``.csv``, ``.jsonl`` (or ``.ndjson``), else JSON."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise _refused(f"{path.name} bukan UTF-8 / is not UTF-8") from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text, newline=""))
        missing = [f for f in FIELDS if f not in (reader.fieldnames or ())]
        if missing:
            raise _refused(f"kolom tidak ada / missing columns: {', '.join(missing)}")
        return list(reader)
    if suffix in (".jsonl", ".ndjson"):
        return _jsonl(text)
    try:
        loaded = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise _refused(f"JSON rusak / malformed JSON ({exc})") from None
    if isinstance(loaded, Mapping):
        loaded = loaded.get("claims")
    if not isinstance(loaded, list):
        raise _refused("berkas harus berisi daftar klaim / the file must hold a list of claims")
    return loaded


def read_claims(path: Path) -> list[Claim]:
    return parse_claims(read_claim_rows(path))


def claims_hash(claims: Sequence[Claim]) -> str:
    """SHA-256 of what matching reads of the claims (ids and texts, in order): the key of their
    cached embeddings."""
    digest = hashlib.sha256()
    for claim in claims:
        digest.update(claim.claim_id.encode() + b"\x00" + claim.claim.encode() + b"\x01")
    return digest.hexdigest()
