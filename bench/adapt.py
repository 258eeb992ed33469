"""The learning curve of domain adaptation: how many analyst labels close the transfer gap.

Base: a model trained with ``damai train`` on ibrohim2019 HS alone (not the bundled model, which
has seen desrul2019). Targets: desrul2019 label 3 and netifier ``sara``, both read as the base's
``hate_speech`` (as ``docs/transfer.md`` does). Each target is de-duplicated, texts also in
ibrohim2019 are removed, and it is split 50/50 (stratified, per seed) into a pool and a test part
that never mix. For each K, the K pool rows are picked by ``damai adapt suggest`` or at random,
labelled from the target's own labels, adapted with ``damai adapt train``, and scored on the test
part with ``damai evaluate``. When ``adapt train`` refuses (too few positives, one class only), the
analyst keeps the base model, and its F1 is what counts. The ceiling is ``damai train`` with its
defaults on the whole pool. Every step is the real CLI, as a user runs it.

    .venv/bin/python bench/adapt.py [--shared ../shared/data] [--seeds 5] [--ks 0,50,100,200,400]
                                    [--targets desrul2019,netifier_sara] [--out docs/adapt.md]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DAMAI = Path(sys.executable).with_name("damai")

#: name → (file under shared/data, text column, label column, value read as hateful)
TARGETS = {
    "desrul2019": ("desrul2019/dataset.csv", "Kalimat", "label", "3"),
    "netifier_sara": ("netifier/train.csv", "original_text", "sara", "1"),
}


def _read(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return list(csv.DictReader(io.StringIO(data.decode(encoding), newline="")))
        except UnicodeDecodeError:
            continue
    raise SystemExit(f"{path}: cannot decode")  # pragma: no cover


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def _write(path: Path, rows: list[tuple[str, int]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    return path


def _damai(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(DAMAI), *args], capture_output=True, text=True, check=False)


def _f1(model: Path, test: Path) -> float:
    done = _damai("evaluate", "--model", str(model), "--data", str(test), "--text-col", "text",
                  "--labels", "hate_speech=label", "--json")
    if done.returncode:
        raise SystemExit(done.stderr)
    return float(json.loads(done.stdout)["labels"]["hate_speech"]["f1"])


def target_rows(shared: Path, name: str, seen: set[str]) -> list[tuple[str, int]]:
    file, text_col, label_col, value = TARGETS[name]
    rows, keys = [], set()
    for row in _read(shared / file):
        key = _key(row[text_col])
        if key and key not in keys and key not in seen:
            keys.add(key)
            rows.append((row[text_col], int(row[label_col].strip() == value)))
    return rows


def split(rows: list[tuple[str, int]], seed: int) -> tuple[list[tuple[str, int]],
                                                           list[tuple[str, int]]]:
    rng = random.Random(seed)
    pool, test = [], []
    for label in (0, 1):
        part = [r for r in rows if r[1] == label]
        rng.shuffle(part)
        pool += part[: len(part) // 2]
        test += part[len(part) // 2:]
    rng.shuffle(pool)
    return pool, test


def adapted_f1(base: Path, pool: list[tuple[str, int]], rows: list[int], test: Path,
               work: Path, base_f1: float) -> tuple[float, str]:
    labelled = _write(work / "labelled.csv", [pool[i] for i in rows])
    model = work / "adapted"
    done = _damai("adapt", "train", "--model", str(base), "--data", str(labelled),
                  "--text-col", "text", "--labels", "hate_speech=label", "--out", str(model))
    if done.returncode:
        return base_f1, done.stderr.strip().splitlines()[-1][:120]
    return _f1(model, test), ""


def run_target(shared: Path, base: Path, base_seen: set[str], name: str, seeds: int,
               ks: list[int], work: Path) -> dict[str, Any]:
    rows = target_rows(shared, name, base_seen)
    curve: dict[str, dict[int, list[float]]] = {"suggest": {}, "random": {}}
    ceiling, notes = [], []
    for seed in range(seeds):
        pool, test_rows = split(rows, seed)
        test = _write(work / "test.csv", test_rows)
        pool_file = _write(work / "pool.csv", pool)
        base_f1 = _f1(base, test)
        print(f"{name} seed {seed} K 0 base: F1 {base_f1:.3f}", flush=True)
        for k in ks:
            if k == 0:
                for strategy in curve:
                    curve[strategy].setdefault(0, []).append(base_f1)
                continue
            done = _damai("adapt", "suggest", "--model", str(base), "--data", str(pool_file),
                          "--text-col", "text", "--k", str(k), "--json")
            if done.returncode:
                raise SystemExit(done.stderr)
            picks = {"suggest": json.loads(done.stdout)["rows"],
                     "random": random.Random(1000 + seed).sample(range(len(pool)), k)}
            for strategy, chosen in picks.items():
                f1, why = adapted_f1(base, pool, chosen, test, work, base_f1)
                curve[strategy].setdefault(k, []).append(f1)
                positives = sum(pool[i][1] for i in chosen)
                print(f"{name} seed {seed} K {k} {strategy}: {positives} positives, F1 {f1:.3f}"
                      + (f" (kept the base model: {why})" if why else ""), flush=True)
                if why:
                    notes.append(f"{name} seed {seed} K={k} {strategy}: {why}")
        done = _damai("train", "--data", str(pool_file), "--text-col", "text", "--labels",
                      "hate_speech=label", "--out", str(work / "ceiling"))
        if done.returncode:
            raise SystemExit(done.stderr)
        ceiling.append(_f1(work / "ceiling", test))
        print(f"{name} seed {seed} ceiling F1 {ceiling[-1]:.3f}", flush=True)
    return {"rows": len(rows), "positives": sum(r[1] for r in rows), "curve": curve,
            "ceiling": ceiling, "notes": notes}


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def report(results: dict[str, dict[str, Any]], ks: list[int], seeds: int, seconds: float,
           command: str) -> str:
    lines = ["# Learning curve of `damai adapt` / Kurva belajar adaptasi", "",
             f"Command: `{command}` ({seeds} seeds, {seconds / 60:.0f} min). Test F1 of the "
             "positive class, mean over seeds; base = `damai train` on ibrohim2019 HS alone.", ""]
    for name, result in results.items():
        base = _mean(result["curve"]["suggest"][0]) if 0 in ks else float("nan")
        ceiling = _mean(result["ceiling"])
        lines += [f"## {name} ({result['rows']:,} distinct rows, {result['positives']:,} "
                  "positive)", "",
                  "| K | `adapt suggest` | random | gap closed (suggest) |", "|---|---|---|---|"]
        for k in ks:
            s, r = _mean(result["curve"]["suggest"][k]), _mean(result["curve"]["random"][k])
            closed = (s - base) / (ceiling - base) if ceiling > base else float("nan")
            lines.append(f"| {k} | {s:.3f} | {r:.3f} | {closed:.0%} |")
        lines += ["", f"Ceiling (`damai train` on the whole pool): **{ceiling:.3f}**.", ""]
        if result["notes"]:
            lines += ["Runs where `adapt train` refused and the base model was kept:", ""]
            lines += [f"- {n}" for n in result["notes"]]
            lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--ks", default="0,50,100,200,400")
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "adapt.md")
    args = parser.parse_args()
    if not (args.shared / "ibrohim2019" / "re_dataset.csv").is_file():
        sys.exit(f"{args.shared} holds no shared datasets")
    ks = [int(k) for k in args.ks.split(",")]
    started = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        base = work / "base"
        done = _damai("train", "--data", str(args.shared / "ibrohim2019" / "re_dataset.csv"),
                      "--text-col", "Tweet", "--labels", "hate_speech=HS", "--dedupe",
                      "--out", str(base), "--name", "base-ibrohim2019")
        if done.returncode:
            sys.exit(done.stderr)
        seen = {_key(r["Tweet"]) for r in _read(args.shared / "ibrohim2019" / "re_dataset.csv")}
        results = {name: run_target(args.shared, base, seen, name, args.seeds, ks, work)
                   for name in args.targets.split(",")}
    command = " ".join(["python", "bench/adapt.py", *sys.argv[1:]])
    text = report(results, ks, args.seeds, time.time() - started, command)
    print(text)
    args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
