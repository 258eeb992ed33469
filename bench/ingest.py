"""Ingest benchmark (issues #2 and #10): ingest with classification against the reference.

The workload is N distinct posts as twarc2 JSONL (Twitter API v2 pages of 100 tweets with
``includes.users``). Their texts are drawn from the text columns of the shared labelled datasets
(``../shared/data``: ibrohim2019, ibrohim2018, netifier, idnhoax, desrul2019) and each is made
distinct with a unique word, so the vocabulary grows as real data's does and no per-token cache is
always warm. Everything runs in this one process, pinned to one core, and in the same run:

- ``reference``: the untuned reference pipeline of issue #3, scikit-learn TF-IDF (word 1-2 grams +
  char_wb 2-5 grams) and a LinearSVC, trained on ibrohim2019 ``HS``; only its ``predict`` on the
  same N texts is timed;
- ``model``: Damai's bundled model alone, ``predict(explain=False)`` on the same texts;
- ``ingest``: ``ingest_paths`` with the classify stage into a fresh SQLite file, ``close()``
  included, with a model loaded apart (its per-token cache cold, not warmed by ``model``);
- ``ingest_no_classify``: the same without the classify stage;
- with ``--claims N`` (issue #11), ``ingest_claims``: ``ingest`` into a store that holds a claims
  library of N claims (the 45 of ``seeds/claims`` plus keywords of IDNHoaxCorpus as claims), so
  the claims stage runs; its claim embeddings are computed before the clock starts (they are
  cached on disk once per library), and ``claims_embedded_share`` says how many posts passed the
  lexical filter and were embedded.

Targets (issue #10): ingest with classification >= 3,000 posts/s and >= 0.6x the reference's
predict speed.

    taskset -c 0 .venv/bin/python bench/ingest.py [--posts 20000] [--shared ../shared/data] \
        [--claims 300]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from damai.pipeline.classify import ClassifyStage  # noqa: E402
from damai.pipeline.ingest import IngestOptions, ingest_paths  # noqa: E402
from damai.privacy import Pseudonymiser  # noqa: E402
from damai.respond.claims import Claim, read_claims  # noqa: E402
from damai.respond.idnhoax import build_evaluation  # noqa: E402
from damai.storage import open_store  # noqa: E402

#: (file below the shared folder, its text column, its encoding)
TEXT_COLUMNS = (
    ("ibrohim2019/re_dataset.csv", "Tweet", "latin-1"),
    ("ibrohim2018/re_dataset_two_labels.csv", "Tweet", "latin-1"),
    ("netifier/train.csv", "original_text", "utf-8"),
    ("idnhoax/datasetUMPOHoax.csv", "tweet", "utf-8"),
    ("desrul2019/dataset.csv", "Kalimat", "utf-8"),
)


def _csv(path: Path, encoding: str) -> list[dict[str, str]]:
    text = path.read_bytes().decode(encoding, errors="replace")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def dataset_texts(shared: Path) -> list[str]:
    texts: list[str] = []
    for name, column, encoding in TEXT_COLUMNS:
        path = shared / name
        if path.is_file():
            texts.extend(t for r in _csv(path, encoding) if (t := (r.get(column) or "").strip()))
    if not texts:
        sys.exit(f"no dataset texts under {shared}: pass --shared PATH/TO/shared/data")
    return texts


def _token(i: int) -> str:
    """A unique word for post ``i`` (letters only, so it survives normalisation as a word)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    word = ""
    i += 26 * 26
    while i:
        i, r = divmod(i, 26)
        word = letters[r] + word
    return "kata" + word


def distinct_texts(pool: list[str], n: int) -> list[str]:
    """``n`` texts cycling through ``pool``, each with its own unique word at a varying place."""
    out = []
    for i in range(n):
        words = pool[i % len(pool)].split()
        at = i % (len(words) + 1)
        out.append(" ".join([*words[:at], _token(i), *words[at:]]))
    return out


def _tweet(i: int, text: str) -> dict[str, Any]:
    created = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(seconds=i)
    return {
        "id": str(1860000000000000000 + i), "author_id": str(5000 + i % 997), "text": text,
        "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "lang": "in",
        "conversation_id": str(1860000000000000000 + i),
        "public_metrics": {"retweet_count": i % 5, "reply_count": i % 3, "like_count": i % 17,
                           "quote_count": 0, "impression_count": i % 1000},
    }


def write_twarc2(path: Path, texts: list[str], per_page: int = 100) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for start in range(0, len(texts), per_page):
            tweets = [_tweet(i, texts[i]) for i in range(start, min(len(texts), start + per_page))]
            users = sorted({t["author_id"] for t in tweets})
            page = {"data": tweets,
                    "includes": {"users": [{"id": u, "username": f"akun{u}", "name": f"Akun {u}"}
                                           for u in users]},
                    "meta": {"result_count": len(tweets)}}
            handle.write(json.dumps(page) + "\n")


def reference_pipeline(shared: Path) -> Any:
    """The untuned reference of issue #3, trained on ibrohim2019 ``HS``."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.svm import LinearSVC

    rows = _csv(shared / "ibrohim2019" / "re_dataset.csv", "latin-1")
    pipeline = make_pipeline(
        make_union(TfidfVectorizer(ngram_range=(1, 2)),
                   TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5))),
        LinearSVC())
    pipeline.fit([r["Tweet"] for r in rows], [int(r["HS"]) for r in rows])
    return pipeline


def _batches(texts: list[str], size: int = 2000) -> Iterator[list[str]]:
    for i in range(0, len(texts), size):
        yield texts[i:i + size]


def _timed(fn: Callable[[], int]) -> tuple[int, float, float]:
    """The count ``fn`` returns, its wall seconds and its CPU seconds (the machine is shared:
    CPU time is what another process's load does not inflate)."""
    wall, cpu = time.perf_counter(), time.process_time()
    count = fn()
    return count, time.perf_counter() - wall, time.process_time() - cpu


#: seconds each ingest's ``store.close()`` took (issue #10: it took 4.6 s after 5,000 posts)
CLOSE_SECONDS: dict[str, float] = {}


def claims_library(shared: Path, n: int) -> list[Claim]:
    """The seed claims plus IDNHoaxCorpus keywords as claims, ``n`` in all."""
    seeds = read_claims(ROOT / "seeds" / "claims" / "claims.csv")
    extra, _ = build_evaluation(shared, holdout=0.0)
    return [*seeds, *extra][:n]


def _ingest(source: Path, db_path: Path, stage: ClassifyStage | None,
            claims: list[Claim] | None = None) -> int:
    store = open_store(f"sqlite:////{db_path.resolve().as_posix().lstrip('/')}")
    if claims:
        store.claims.import_claims(claims)
    try:
        report = ingest_paths([source], store, IngestOptions(batch_size=2000),
                              pseudonymiser=Pseudonymiser(b"bench-secret"), classifier=stage)
    finally:
        start = time.perf_counter()
        store.close()
        CLOSE_SECONDS[db_path.stem] = round(time.perf_counter() - start, 3)
    assert report.balanced and report.stored == report.received, report.to_dict()
    return report.stored


def _embedded_share(claims: list[Claim], texts: list[str]) -> float:
    """Warm the claim embeddings (as a store's first ingest after an import would) and count
    the posts the lexical filter lets through to the embedder."""
    from damai.pipeline.claims import ClaimsStage
    from damai.understand.normalise import normalise

    matcher = ClaimsStage.for_claims(claims).matcher
    matcher.vectors  # noqa: B018
    return round(sum(1 for t in texts if len(matcher.candidates(normalise(t)))) / len(texts),
                 4)


def run(posts: int, shared: Path, n_claims: int = 0) -> dict[str, Any]:
    from damai.understand.bundled import DEFAULT_MODEL_DIR
    from damai.understand.model import TextClassifier

    texts = distinct_texts(dataset_texts(shared), posts)
    reference = reference_pipeline(shared)
    # one fresh model per phase: its per-token feature cache starts cold in each
    model, ingest_model, claims_model = (TextClassifier.load(DEFAULT_MODEL_DIR) for _ in range(3))
    claims = claims_library(shared, n_claims) if n_claims else []
    figures: dict[str, float] = {}
    cpu_figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="damai-bench-") as folder:
        tmp = Path(folder)
        os.environ["DAMAI_DATA_DIR"] = str(tmp)
        source = tmp / "tweets.jsonl"
        write_twarc2(source, texts)
        share = _embedded_share(claims, texts) if claims else None
        phases: list[tuple[str, Callable[[], int]]] = [
            ("reference_predict", lambda: sum(len(reference.predict(b)) for b in _batches(texts))),
            ("model_predict", lambda: sum(len(model.predict(b, explain=False))
                                          for b in _batches(texts))),
            ("ingest", lambda: _ingest(source, tmp / "a.sqlite3", ClassifyStage(ingest_model))),
            ("ingest_no_classify", lambda: _ingest(source, tmp / "b.sqlite3", None)),
        ]
        if claims:
            phases.append(("ingest_claims", lambda: _ingest(
                source, tmp / "c.sqlite3", ClassifyStage(claims_model), claims)))
        for name, fn in phases:
            count, seconds, cpu = _timed(fn)
            assert count == posts, (name, count)
            figures[name] = round(posts / seconds)
            cpu_figures[name] = round(posts / cpu)
    extra: dict[str, Any] = {}
    if claims:
        extra = {"claims": len(claims), "claims_embedded_share": share,
                 "ingest_claims_vs_ingest": round(figures["ingest_claims"] / figures["ingest"], 3),
                 "ingest_claims_vs_ingest_cpu": round(
                     cpu_figures["ingest_claims"] / cpu_figures["ingest"], 3)}
    return {
        **extra,
        "posts": posts, "distinct_texts": len(set(texts)),
        "posts_per_s": figures,
        "ingest_vs_reference_predict": round(figures["ingest"] / figures["reference_predict"], 2),
        "posts_per_cpu_s": cpu_figures,
        "ingest_vs_reference_predict_cpu": round(
            cpu_figures["ingest"] / cpu_figures["reference_predict"], 2),
        "close_seconds": {"ingest": CLOSE_SECONDS["a"], "ingest_no_classify": CLOSE_SECONDS["b"]},
        "targets": {"ingest": ">= 3000", "ingest_vs_reference_predict": ">= 0.6"},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--claims", type=int, default=0,
                        help="also ingest into a store holding this many claims")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    print(json.dumps(run(args.posts, args.shared, args.claims), indent=2))


if __name__ == "__main__":
    main()
