"""Ablation of the recommender's signals (issue #11): which signal earns its cost.

Runs ``damai evaluate-recommend --json`` through the real CLI once per signal set, on the test
posts (``seeds/recommend/test.jsonl``, written before the library and the ranker) and the dev
posts the weights were tuned on, and writes ``docs/recommend.md``. Time per post is the wall time
of the run on all posts minus a run on one post (so process start, model loading and the
library's cached embeddings are not counted), divided by the posts. The library's embeddings are
made once, in a warm-up run, and read from the cache after that; the first-run cost is reported
on its own line.

    .venv/bin/python bench/recommend.py [--out docs/recommend.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DAMAI = Path(sys.executable).with_name("damai")
SETS = ["labels", "bm25", "embeddings", "labels,bm25", "labels,embeddings", "bm25,embeddings",
        "all"]
#: everything below this line in the output is written by hand and kept when the bench re-runs
NOTES = "<!-- notes: written by hand; bench/recommend.py keeps them -->"
DATA = {"test": ROOT / "seeds/recommend/test.jsonl", "dev": ROOT / "seeds/recommend/dev.jsonl"}


def evaluate(data: Path, signals: str, env: dict[str, str]) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    done = subprocess.run([str(DAMAI), "evaluate-recommend", "--data", str(data), "--json",
                           "--signals", signals], env=env, check=True, capture_output=True)
    return json.loads(done.stdout), time.perf_counter() - started


def per_post_ms(data: Path, signals: str, env: dict[str, str], one: Path) -> tuple[dict[str, Any],
                                                                                   float]:
    report, whole = evaluate(data, signals, env)
    _, single = evaluate(one, signals, env)
    return report, max(whole - single, 0.0) * 1000 / max(report["posts"] - 1, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "recommend.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DAMAI_DATA_DIR": tmp}
        one = Path(tmp) / "one.jsonl"
        one.write_text(DATA["dev"].read_text(encoding="utf-8").splitlines()[0] + "\n",
                       encoding="utf-8")
        _, cold = evaluate(one, "embeddings", env)
        _, warm = evaluate(one, "embeddings", env)
        rows = {name: [(s, *per_post_ms(path, s, env, one)) for s in SETS]
                for name, path in DATA.items()}
    notes = ""
    if args.out.is_file() and NOTES in (old := args.out.read_text(encoding="utf-8")):
        notes = old[old.index(NOTES):]
    args.out.write_text(render(rows, cold - warm) + (notes or NOTES + "\n"), encoding="utf-8")
    print(args.out.read_text(encoding="utf-8"))


def render(rows: dict[str, list[tuple[str, dict[str, Any], float]]], cold: float) -> str:
    load = os.getloadavg()[0]
    lines = ["# Rekomendasi: ablasi sinyal / Recommendation: signal ablation", "",
             "Dibuat oleh / made by `bench/recommend.py`; every figure comes from `damai "
             "evaluate-recommend --data FILE --json --signals SET` (k = 3) on the starter "
             "library. Random = the figure a uniformly random ranking of the same library "
             "expects.", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} CPU, shared (load average "
             f"{load:.1f} when the run ended): time per post is noisy.", ""]
    for name, found in rows.items():
        posts = found[0][1]["posts"]
        rnd = found[0][1]["random"]
        lines += [f"## {name} ({posts} posts)", "",
                  "| signals | hit@1 | hit@3 | MRR | ms / post |", "|---|---|---|---|---|"]
        lines += [f"| {s} | {r['hit@1']:.3f} | {r['hit@3']:.3f} | {r['mrr']:.3f} | {ms:.0f} |"
                  for s, r, ms in found]
        lines += [f"| random | {rnd['hit@1']:.3f} | {rnd['hit@3']:.3f} | {rnd['mrr']:.3f} | |",
                  ""]
    lines += [f"Embedding the library the first time (then cached by content): {cold:.1f} s.",
              ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
