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
import re
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


def run_target(shared: Path, base: Path, base_seen: set[str], name: str, seeds: range,
               ks: list[int], work: Path) -> dict[str, Any]:
    rows = target_rows(shared, name, base_seen)
    curve: dict[str, dict[int, list[float]]] = {"suggest": {}, "random": {}}
    ceiling, notes = [], []
    for seed in seeds:
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
            "ceiling": ceiling, "notes": notes, "seeds": ", ".join(map(str, seeds))}


_LINE = re.compile(r"^(\S+) seed (\d+) (?:K (\d+) (suggest|random|base): .*?F1 ([0-9.]+)"
                   r"(?: \(kept the base model: (.*)\))?|ceiling F1 ([0-9.]+))$")


def from_logs(paths: list[Path]) -> dict[str, dict[str, Any]]:
    """The results of one or more runs, read back from their printed lines (runs split by
    ``--first-seed`` over several processes, or a run stopped before its report). A seed's
    K = 0 figure is its ``base`` line; logs from before that line existed use a run of the
    same seed where ``adapt train`` refused, which scores the base model on the same test part."""
    seen: dict[tuple[str, int, int, str], tuple[float, str]] = {}
    ceilings: dict[tuple[str, int], float] = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            m = _LINE.match(line.strip())
            if not m:
                continue
            name, seed = m.group(1), int(m.group(2))
            if m.group(7):
                ceilings[(name, seed)] = float(m.group(7))
                continue
            k, strategy = int(m.group(3)), m.group(4)
            seen[(name, seed, k, strategy)] = (float(m.group(5)), m.group(6) or "")
            if m.group(6) and (name, seed, 0, "base") not in seen:
                seen[(name, seed, 0, "base")] = (float(m.group(5)), "")
    results: dict[str, dict[str, Any]] = {}
    for name, seed in sorted(ceilings):  # only seeds that ran to their ceiling are complete
        if (name, seed, 0, "base") not in seen:
            continue
        result = results.setdefault(name, {"curve": {"suggest": {}, "random": {}},
                                           "ceiling": [], "notes": [], "done": []})
        result["ceiling"].append(ceilings[(name, seed)])
        result["done"].append(seed)
        for (n, s, k, strategy), (f1, why) in sorted(seen.items()):
            if n != name or s != seed:
                continue
            for side in (("suggest", "random") if strategy == "base" else (strategy,)):
                result["curve"][side].setdefault(k, []).append(f1)
            if why:
                result["notes"].append(f"{name} seed {seed} K={k} {strategy}: {why}")
    for result in results.values():
        result["seeds"] = ", ".join(map(str, result.pop("done")))
    return results


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def report(results: dict[str, dict[str, Any]], ks: list[int], seeds: str,
           seconds: float | None, command: str) -> str:
    took = f", {seconds / 60:.0f} min" if seconds is not None else ""
    lines = ["# Learning curve of `damai adapt` / Kurva belajar adaptasi", "",
             f"Command: `{command}` ({seeds}{took}). Test F1 of the "
             "positive class, mean over seeds; base = `damai train` on ibrohim2019 HS alone.", ""]
    for name, result in results.items():
        base = _mean(result["curve"]["suggest"][0]) if 0 in ks else float("nan")
        ceiling = _mean(result["ceiling"])
        size = (f"{result['rows']:,} distinct rows, {result['positives']:,} positive"
                if "rows" in result else "from the log")
        lines += [f"## {name} ({size}, seeds {result.get('seeds', '?')})", "",
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
    parser.add_argument("--first-seed", type=int, default=0,
                        help="run seeds first..first+seeds-1 (to split a run over processes)")
    parser.add_argument("--from-log", type=Path, nargs="+",
                        help="write the report from the printed lines of earlier runs")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "adapt.md")
    args = parser.parse_args()
    ks = [int(k) for k in args.ks.split(",")]
    command = " ".join(["python", "bench/adapt.py", *sys.argv[1:]])
    if args.from_log:
        results = from_logs(args.from_log)
        text = report(results, ks, "seeds as listed per target", None, command)
        print(text)
        args.out.write_text(text + "\n", encoding="utf-8")
        return
    if not (args.shared / "ibrohim2019" / "re_dataset.csv").is_file():
        sys.exit(f"{args.shared} holds no shared datasets")
    started = time.time()
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        base = work / "base"
        done = _damai("train", "--data", str(args.shared / "ibrohim2019" / "re_dataset.csv"),
                      "--text-col", "Tweet", "--labels", "hate_speech=HS", "--dedupe",
                      "--out", str(base), "--name", "base-ibrohim2019")
        if done.returncode:
            sys.exit(done.stderr)
        seen = {_key(r["Tweet"]) for r in _read(args.shared / "ibrohim2019" / "re_dataset.csv")}
        results = {name: run_target(args.shared, base, seen, name, seeds, ks, work)
                   for name in args.targets.split(",")}
    text = report(results, ks, f"{len(seeds)} seeds", time.time() - started, command)
    print(text)
    args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
