"""``damai claims import|list|match`` and ``damai evaluate-claims`` (issue #11).

- ``import FILE`` checks every row of a CSV, JSON or JSONL claims file and imports all of them,
  or none when any row has a problem (each problem is printed with its row); a claim with a
  known id replaces it. Audited as ``claims_import``.
- ``match`` reads JSONL ``{"text"}`` on stdin and writes ``{"claim_id", "score", "claim",
  "verdict"}`` per line; with no claim close enough, ``claim_id``, ``claim`` and ``verdict`` are
  null and ``score`` is the best score seen (0 when the post shares no word with any claim).
- ``evaluate-claims`` reports top-1 accuracy on the posts that repeat a claim and the
  false-match rate on those that repeat none (:mod:`damai.respond.claim_eval`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.table import Table

from damai import settings
from damai.cli.common import (
    DbOption,
    batches,
    cli_actor,
    err,
    jsonl_texts,
    out,
    plain,
    store_from,
)
from damai.errors import InputError
from damai.respond.claim_eval import LabelledPost, evaluate_matcher, read_labelled
from damai.respond.claims import Claim, ImportRefused, read_claims
from damai.respond.embed import cache_dir
from damai.respond.idnhoax import CORPUS_FILE, build_evaluation
from damai.respond.matching import ClaimMatcher

__all__ = ["app", "evaluate_claims"]

app = typer.Typer(help="Klaim cek fakta: impor, daftar, cocokkan. / Fact-check claims: import, "
                       "list, match.", no_args_is_help=True)

_BATCH = 64


def _read(path: Path) -> list[Claim]:
    if not path.is_file():
        raise InputError(f"tidak ada berkas / no such file: {path}")
    try:
        return read_claims(path)
    except ImportRefused as refused:
        err.print(str(refused))
        raise typer.Exit(2) from None


def _matcher(claims: list[Claim], threshold: float | None = None) -> ClaimMatcher:
    return ClaimMatcher(
        claims, threshold=threshold if threshold is not None
        else float(settings.get("claims_threshold")),
        min_lexical=float(settings.get("claims_min_lexical")),
            min_shared=settings.get_int("claims_min_shared"),
        cache_dir=cache_dir())


@app.command("import")
def import_claims(file: Annotated[Path, typer.Argument(help="CSV, JSON atau/or JSONL")],
                  db: DbOption = None) -> None:
    """Impor klaim (semua atau tidak sama sekali). / Import claims (all or nothing)."""
    claims = _read(file)
    with store_from(db) as store:
        done = store.claims.import_claims(claims)
        store.audit.record(cli_actor(), "claims_import", file.name, done.to_dict())
    out.print(f"{len(claims)} klaim diimpor: {done.added} baru, {done.replaced} diganti / "
              f"{len(claims)} claims imported: {done.added} new, {done.replaced} replaced")


@app.command("list")
def list_claims(as_json: Annotated[bool, typer.Option("--json", help="JSON")] = False,
                db: DbOption = None) -> None:
    """Daftar klaim. / List the claims."""
    with store_from(db) as store:
        claims = store.claims.all()
    if as_json:
        sys.stdout.buffer.write(orjson.dumps([c.as_dict() for c in claims]) + b"\n")
        return
    table = Table("id", "putusan / verdict", "tanggal / date", "klaim / claim")
    for c in claims:
        table.add_row(plain(c.claim_id), plain(c.verdict), plain(c.date.isoformat()),
                      plain(c.claim))
    out.print(table)


@app.command("match")
def match(claims: Annotated[Path | None, typer.Option(
              "--claims", help="Berkas klaim; bawaan: klaim di basis data / a claims file; "
                               "default: the store's claims")] = None,
          db: DbOption = None) -> None:
    """Cocokkan JSONL {"text"} di stdin dengan klaim. / Match JSONL {"text"} on stdin."""
    if claims is not None:
        library = _read(claims)
    else:
        with store_from(db) as store:
            library = store.claims.all()
    if not library:
        raise InputError("belum ada klaim: jalankan `damai claims import FILE` atau beri "
                         "--claims / no claims yet: run `damai claims import FILE` or pass "
                         "--claims")
    matcher = _matcher(library)
    for batch in batches(jsonl_texts(sys.stdin.buffer), _BATCH):
        sys.stdout.buffer.write(b"".join(orjson.dumps(m.as_dict()) + b"\n"
                                         for m in matcher.predict(batch)))
        sys.stdout.buffer.flush()


def _evaluation(claims: Path | None, data: Path | None, idnhoax: Path | None,
                max_claims: int | None) -> tuple[list[Claim], list[LabelledPost]]:
    if idnhoax is not None:
        try:
            return build_evaluation(idnhoax, max_claims=max_claims)
        except FileNotFoundError:
            raise InputError(f"tidak ada / not found: {idnhoax / CORPUS_FILE}") from None
    if claims is None or data is None:
        raise InputError("beri --claims dan --data, atau --idnhoax / pass --claims and --data, "
                         "or --idnhoax")
    if not data.is_file():
        raise InputError(f"tidak ada berkas / no such file: {data}")
    return _read(claims), read_labelled(data)


def evaluate_claims(
    claims: Annotated[Path | None, typer.Option(
        "--claims", help="CSV/JSON/JSONL klaim / claims")] = None,
    data: Annotated[Path | None, typer.Option("--data", help='JSONL {"text", "claim_id"}')] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON")] = False,
    threshold: Annotated[float | None, typer.Option(
        help="Ambang skor / score threshold (bawaan / default: DAMAI_CLAIMS_THRESHOLD)")] = None,
    idnhoax: Annotated[Path | None, typer.Option(
        help="Folder shared/data: evaluasi dari IDNHoaxCorpus, dibangun saat jalan / build the "
             "evaluation from IDNHoaxCorpus at run time")] = None,
    max_claims: Annotated[int | None, typer.Option(
        help="Dengan/with --idnhoax: paling banyak / at most N claims")] = None,
) -> None:
    """Akurasi top-1 dan laju salah cocok. / Top-1 accuracy and the false-match rate."""
    library, posts = _evaluation(claims, data, idnhoax, max_claims)
    report = evaluate_matcher(_matcher(library, threshold), posts)
    if as_json:
        sys.stdout.buffer.write(orjson.dumps(report, option=orjson.OPT_INDENT_2) + b"\n")
        return
    out.print(f"top-1: {report['top1_accuracy']} ({report['repeating']} post mengulang klaim / "
              f"posts repeat a claim)")
    out.print(f"salah cocok / false matches: {report['false_match_rate']} "
              f"({report['not_repeating']} post tanpa klaim / posts repeat none)")
    out.print(f"peringkat-1 tanpa ambang / ranked top-1, no threshold: {report['ranked_top1']}; "
              f"ambang / threshold {report['threshold']}; disematkan / embedded "
              f"{report['embedded']}")
