"""Classification benchmark (issues #3 and #10): ``damai classify`` without explanations against
the reference pipeline, on distinct texts, timed in the same run.

**Texts.** Drawn from the text columns of the shared datasets (ibrohim2019 ``Tweet``, netifier
``original_text``, idnhoax ``tweet``, desrul2019 ``Kalimat``; about 27,000 distinct texts), every
one used once before any is reused. Beyond that pool each reuse gets one or two typos (two
adjacent letters swapped in a word), so every text is distinct and new tokens keep arriving as in
a real stream: a per-token cache is never simply warm, as it was when the held-out tweets were
repeated (that overstated Damai at 2.4×; on distinct texts it was about 1.1×).

**Sides.** Each runs in its own child process pinned to one core, after a warm-up on 200 texts
that are not in the workload:

- ``damai_cli``: the ``damai classify`` path (:func:`damai.cli.understand.classify_stream`: JSONL
  in, JSONL out) with ``explain=False``; ``damai_predict``: ``TextClassifier.predict`` alone;
- ``reference``: scikit-learn TF-IDF (word 1-2 grams + char_wb 2-5 grams, untuned) and a
  LinearSVC, trained on ibrohim2019's hate-speech labels, ``predict`` in batches of 2,000.

Every side gets the same full workload in a fresh process, so each starts with a cold cache.
The ratio is damai posts/s over reference posts/s (target ≥ 2 for the CLI path). ``--profile``
adds a cProfile of ``predict`` (own time per function), to show where the time goes. Quality is
not measured here: it comes from ``damai evaluate`` and the model card.

    .venv/bin/python bench/classify.py [--posts 100000] [--shared ../shared/data] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import json
import os
import pstats
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
SHARED = ROOT.parent / "shared" / "data"
#: (file under shared/data, text column)
TEXT_COLUMNS = [("ibrohim2019/re_dataset.csv", "Tweet"), ("netifier/train.csv", "original_text"),
                ("idnhoax/datasetUMPOHoax.csv", "tweet"), ("desrul2019/dataset.csv", "Kalimat")]
BATCH = 2000


def _rows(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _pool(shared: Path) -> list[str]:
    seen: set[str] = set()
    pool = []
    for name, column in TEXT_COLUMNS:
        for row in _rows(shared / name):
            text = (row.get(column) or "").strip()
            if text and text not in seen:
                seen.add(text)
                pool.append(text)
    random.Random(10).shuffle(pool)
    return pool


def _typo(text: str, rng: random.Random) -> str:
    words = text.split()
    candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    for i in rng.sample(candidates, min(len(candidates), rng.choice((1, 2)))):
        word, at = words[i], rng.randrange(len(words[i]) - 1)
        words[i] = word[:at] + word[at + 1] + word[at] + word[at + 2:]
    return " ".join(words)


def distinct_texts(shared: Path, count: int, seed: int = 1) -> list[str]:
    """``count`` distinct texts: the real pool first, then typo'd reuses (see the module doc)."""
    pool = _pool(shared)
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[str] = []
    i = 0
    while len(out) < count:
        base = pool[i % len(pool)]
        text = base if i < len(pool) else _typo(base, rng)
        i += 1
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def _workload(shared: Path, posts: int) -> tuple[list[str], list[str]]:
    texts = distinct_texts(shared, posts + 200)
    return texts[200:], [_typo(t, random.Random(99)) + " pemanasan" for t in texts[:200]]


def _timed(run: Any, work: list[str]) -> float:
    start = time.perf_counter()
    run(work)
    return time.perf_counter() - start


def _damai(shared: Path, posts: int) -> tuple[Any, list[str]]:
    from damai.understand.bundled import load_model

    model = load_model()
    work, warm = _workload(shared, posts)
    model.predict(warm, explain=False)
    return model, work


def _predict_only(model: Any, texts: list[str]) -> None:
    for i in range(0, len(texts), BATCH):
        model.predict(texts[i:i + BATCH], explain=False)


def phase_cli(shared: Path, posts: int) -> dict[str, Any]:
    """The ``damai classify`` path: JSONL parsed, scored without explanations, JSONL written."""
    from damai.cli.understand import classify_stream

    _, work = _damai(shared, posts)
    lines = b"".join(json.dumps({"text": t}).encode() + b"\n" for t in work)
    sink = io.BytesIO()
    seconds = _timed(lambda _: classify_stream(io.BytesIO(lines), sink, None, explain=False,
                                               batch=BATCH), work)
    return {"posts_per_s": round(len(work) / seconds)}


def phase_predict(shared: Path, posts: int) -> dict[str, Any]:
    model, work = _damai(shared, posts)
    return {"posts_per_s": round(len(work) / _timed(lambda t: _predict_only(model, t), work))}


def phase_profile(shared: Path, posts: int) -> dict[str, Any]:
    model, work = _damai(shared, posts)
    profiler = cProfile.Profile()
    profiler.runcall(_predict_only, model, work)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(15)
    return {"top_by_own_time": [line.rstrip() for line in text.getvalue().splitlines()
                                if line.strip()][-16:]}


def phase_reference(shared: Path, posts: int) -> dict[str, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.svm import LinearSVC

    train = _rows(shared / "ibrohim2019" / "re_dataset.csv")
    pipeline = make_pipeline(
        make_union(TfidfVectorizer(ngram_range=(1, 2)),
                   TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5))),
        LinearSVC())
    pipeline.fit([r["Tweet"] for r in train], [int(r["HS"]) for r in train])
    work, warm = _workload(shared, posts)
    pipeline.predict(warm)

    def predict(texts: list[str]) -> None:
        for i in range(0, len(texts), BATCH):
            pipeline.predict(texts[i:i + BATCH])

    return {"posts_per_s": round(len(work) / _timed(predict, work))}


PHASES = {"reference": phase_reference, "damai_cli": phase_cli, "damai_predict": phase_predict,
          "damai_profile": phase_profile}


def _child(phase: str, shared: Path, posts: int) -> dict[str, Any]:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    result = PHASES[phase](shared, posts)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--phase", choices=sorted(PHASES))
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(_child(args.phase, args.shared, args.posts)))
        return
    if not (args.shared / TEXT_COLUMNS[0][0]).is_file():
        sys.exit(f"{args.shared} has no shared datasets: pass --shared PATH/TO/shared/data")
    results = {}
    phases = ["reference", "damai_cli", "damai_predict", *(["damai_profile"] if args.profile
                                                            else [])]
    for phase in phases:
        command = [sys.executable, __file__, "--phase", phase, "--posts", str(args.posts),
                   "--shared", str(args.shared)]
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        results[phase] = json.loads(done.stdout.strip().splitlines()[-1])
    reference = results["reference"]["posts_per_s"]
    print(json.dumps({
        "posts": args.posts, "distinct_texts": True, **results,
        "ratio_cli_path": round(results["damai_cli"]["posts_per_s"] / reference, 2),
        "ratio_predict_only": round(results["damai_predict"]["posts_per_s"] / reference, 2),
        "target": "ratio_cli_path >= 2.0"}, indent=2))


if __name__ == "__main__":
    main()
