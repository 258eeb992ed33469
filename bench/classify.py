"""Classification benchmark (issue #3): Damai's full default model against the reference.

The reference is the pipeline the issue names: scikit-learn TF-IDF (word 1-2 grams + char_wb 2-5
grams) and a LinearSVC, trained on the same hate-speech training split the default model used
(``build/splits/ibrohim2019_train.csv``, made by ``make models``). Each side runs in its own
child process pinned to one core, classifies the same N posts (default 100,000: held-out tweets
repeated), and reports posts/s and peak memory (max RSS). Quality is the hate_speech F1 on the
held-out split, for both.

    .venv/bin/python bench/classify.py [--posts 100000]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
SPLITS = ROOT / "build" / "splits"


def _rows(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    text = data.decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _f1(y: list[int], predicted: list[bool]) -> float:
    tp = sum(1 for a, b in zip(y, predicted, strict=True) if a and b)
    fp = sum(1 for a, b in zip(y, predicted, strict=True) if not a and b)
    fn = sum(1 for a, b in zip(y, predicted, strict=True) if a and not b)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _workload(posts: int) -> tuple[list[str], list[str], list[int]]:
    test = _rows(SPLITS / "ibrohim2019_test.csv")
    texts = [r["Tweet"] for r in test]
    return (texts * (posts // len(texts) + 1))[:posts], texts, [int(r["HS"]) for r in test]


def phase_damai(posts: int) -> dict[str, Any]:
    from damai.understand.bundled import load_model

    model = load_model()
    work, held, y = _workload(posts)
    model.predict(work[:200], explain=False)  # warm caches the same way for both sides
    start = time.perf_counter()
    for i in range(0, len(work), 2000):
        model.predict(work[i:i + 2000], explain=False)
    seconds = time.perf_counter() - start
    k = model.labels.index("hate_speech")
    scores = model.scores(held)[:, k]
    return {"posts_per_s": round(len(work) / seconds),
            "hate_speech_f1": round(_f1(y, list(scores >= model.thresholds[k])), 4)}


def phase_reference(posts: int) -> dict[str, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.svm import LinearSVC

    train = _rows(SPLITS / "ibrohim2019_train.csv")
    pipeline = make_pipeline(
        make_union(TfidfVectorizer(ngram_range=(1, 2)),
                   TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5))),
        LinearSVC())
    pipeline.fit([r["Tweet"] for r in train], [int(r["HS"]) for r in train])
    work, held, y = _workload(posts)
    pipeline.predict(work[:200])
    start = time.perf_counter()
    for i in range(0, len(work), 2000):
        pipeline.predict(work[i:i + 2000])
    seconds = time.perf_counter() - start
    return {"posts_per_s": round(len(work) / seconds),
            "hate_speech_f1": round(_f1(y, [bool(p) for p in pipeline.predict(held)]), 4)}


def _child(phase: str, posts: int) -> dict[str, Any]:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    result = (phase_damai if phase == "damai" else phase_reference)(posts)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--phase", choices=["damai", "reference"])
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(_child(args.phase, args.posts)))
        return
    if not (SPLITS / "ibrohim2019_train.csv").is_file():
        sys.exit("build/splits is missing: run `make models` first (it needs ../shared/data)")
    results = {}
    for phase in ("reference", "damai"):
        done = subprocess.run([sys.executable, __file__, "--phase", phase, "--posts",
                               str(args.posts)], check=True, capture_output=True, text=True)
        results[phase] = json.loads(done.stdout.strip().splitlines()[-1])
    ratio = results["damai"]["posts_per_s"] / results["reference"]["posts_per_s"]
    print(json.dumps({"posts": args.posts, **results, "throughput_ratio": round(ratio, 2),
                      "targets": {"throughput_ratio": ">= 2.0",
                                  "hate_speech_f1": "damai > reference"}}, indent=2))


if __name__ == "__main__":
    main()
