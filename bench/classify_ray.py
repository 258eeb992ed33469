"""Ray classify benchmark (``damai classify --engine ray``).

Generates N posts as 8 JSONL shards, classifies them with the Ray engine on a local Ray with 1
worker and then with 2 workers, and prints posts/s for each and the speed-up as JSON. Posts/s
counts from the moment Ray is up (the actors' model load is included; starting Ray is not).
Uses the bundled model when it exists, else trains a tiny one on synthetic text and says so.
Ray's workers import Damai, so it must be installed in the venv (``make venv`` does that).

    .venv/bin/python bench/classify_ray.py [--posts 100000] [--shards 8]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from damai.understand.bundled import DEFAULT_MODEL_DIR  # noqa: E402
from damai.understand.data import Table  # noqa: E402
from damai.understand.features import FeatureConfig  # noqa: E402
from damai.understand.model import MODEL_FILE, TrainConfig, train_classifier  # noqa: E402
from damai.understand.ray_engine import classify_archive  # noqa: E402

WORDS = ("banjir", "gempa", "damai", "warga", "pengungsi", "bantuan", "Jakarta", "Palu",
         "toleransi", "kabar", "hari", "ini", "jalan", "macet", "hujan", "deras", "posko",
         "pemerintah", "masjid", "gereja", "tetangga", "gotong", "royong", "sekolah", "pasar",
         "polisi", "besok", "pagi", "sore", "makan", "siang", "kerja", "libur", "keluarga")
HATE = ("usir mereka semua, dasar kafir tolol", "kaum itu sampah, usir saja")
HOAX = ("viral! sebarkan sebelum dihapus, vaksin berisi chip", "hoaks: air galon diracun, "
        "bagikan ke grup")
SMALL = FeatureConfig(word_bits=16, char_bits=16)


def _text(i: int) -> str:
    """About one post in ten carries hate speech and one in ten a hoax, as in a busy feed."""
    words = " ".join(WORDS[(i * k + k * k) % len(WORDS)] for k in range(1, 6 + i % 9))
    extra = HATE[i % 2] if i % 10 == 3 else HOAX[i % 2] if i % 10 == 7 else ""
    return f"{words} {extra} #info{i % 50} @warga{i % 300} https://t.co/{i:x}"


def _tiny_model(folder: Path) -> None:
    texts = [_text(i) for i in range(400)]
    y = np.asarray([[float(i % 10 == 3), float(i % 10 == 7)] for i in range(len(texts))])
    train_classifier(Table(texts, ["hate_speech", "hoax"], y, ["bench"] * len(texts)),
                     TrainConfig(features=SMALL), name="bench-tiny").save(folder)


def _write_shards(folder: Path, posts: int, shards: int) -> None:
    per = -(-posts // shards)
    for s in range(shards):
        lines = [json.dumps({"id": str(i), "text": _text(i)}, ensure_ascii=False)
                 for i in range(s * per, min(posts, (s + 1) * per))]
        (folder / f"part-{s:03d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _run(archive: Path, out: Path, model: Path | None, workers: int) -> dict[str, Any]:
    report = classify_archive(str(archive / "*.jsonl"), out, model, workers=workers)
    working = report["seconds"] - report["startup_seconds"]
    return {"posts": report["posts"], "seconds": round(working, 2),
            "startup_seconds": report["startup_seconds"],
            "posts_per_s": round(report["posts"] / working)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--shards", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="damai-bench-") as tmp:
        root = Path(tmp)
        model: Path | None = None
        note = f"bundled model ({DEFAULT_MODEL_DIR})"
        if not (DEFAULT_MODEL_DIR / MODEL_FILE).is_file():
            model = root / "model"
            _tiny_model(model)
            note = "tiny model trained on synthetic text (no bundled model found)"
        (root / "in").mkdir()
        _write_shards(root / "in", args.posts, args.shards)
        one = _run(root / "in", root / "out1", model, 1)
        two = _run(root / "in", root / "out2", model, 2)
    print(json.dumps({"benchmark": "classify --engine ray", "model": note, "posts": args.posts,
                      "shards": args.shards, "cpus": os.cpu_count(), "workers_1": one,
                      "workers_2": two,
                      "speedup": round(two["posts_per_s"] / one["posts_per_s"], 2)}, indent=2))


if __name__ == "__main__":
    main()
