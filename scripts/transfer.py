"""Measure how hate-speech and SARA models transfer between the shared datasets.

Trains with the real ``damai train`` on one source (or a combination) and scores the held-out
split of every other set with ``damai evaluate``; overlapping texts were removed when
``scripts/build_models.py`` wrote the splits (run ``make models`` first). Prints a Markdown table
of positive-class F1 and writes it to ``docs/transfer.md``.

    .venv/bin/python scripts/transfer.py [--splits build/splits]
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: name → (file in the splits folder, text column, how its "hateful" label is read)
SETS = {
    "ibrohim2019 HS": ("ibrohim2019", "Tweet", "hate_speech=HS"),
    "desrul2019 label 3": ("desrul2019", "Kalimat", "hate_speech=label:3"),
    "netifier sara": ("netifier", "original_text", "hate_speech=sara"),
}
TRAININGS = {
    "ibrohim2019 HS": ["ibrohim2019 HS"],
    "desrul2019 label 3": ["desrul2019 label 3"],
    "netifier sara": ["netifier sara"],
    "ibrohim2019 + desrul2019": ["ibrohim2019 HS", "desrul2019 label 3"],
    "all three": ["ibrohim2019 HS", "desrul2019 label 3", "netifier sara"],
}


def _damai(args: list[str]) -> str:
    exe = Path(sys.executable).with_name("damai")
    return subprocess.run([str(exe), *args], check=True, capture_output=True,
                          text=True).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--splits", type=Path, default=ROOT / "build" / "splits")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "transfer.md")
    args = parser.parse_args()
    if not (args.splits / "desrul2019_test.csv").is_file():
        sys.exit(f"{args.splits} has no splits: run `make models` first")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for title, sources in TRAININGS.items():
            model = Path(tmp) / title.replace(" ", "_")
            command = ["train", "--out", str(model), "--name", "transfer"]
            for source in sources:
                stem, col, labels = SETS[source]
                command += ["--data", str(args.splits / f"{stem}_train.csv"),
                            "--text-col", col, "--labels", labels]
            _damai(command)
            cells = []
            for stem, col, labels in SETS.values():
                result = json.loads(_damai([
                    "evaluate", "--model", str(model), "--data",
                    str(args.splits / f"{stem}_test.csv"), "--text-col", col,
                    "--labels", labels, "--json"]))
                m = result["labels"]["hate_speech"]
                cells.append(f"{m['f1']:.3f} (P {m['precision']:.2f} / R {m['recall']:.2f})")
            rows.append(f"| {title} | " + " | ".join(cells) + " |")
            print(rows[-1], flush=True)
    table = ["| trained on ↓ / tested on → | " + " | ".join(f"{k} (held-out)" for k in SETS)
             + " |", "|---" * (len(SETS) + 1) + "|", *rows]
    args.out.write_text("\n".join([
        "# Transfer between datasets / Transfer antar-dataset", "",
        "F1 of the positive class (precision / recall) of a model trained with `damai train` on "
        "the training split of one set and evaluated with `damai evaluate` on the held-out split "
        "of each set. Splits come from `make models` (texts de-duplicated; desrul2019 texts also "
        "found in ibrohim2019 removed). ibrohim2019 `HS`, desrul2019 label 3 (hate) and netifier "
        "`sara` are read as one label, `hate_speech`, to see how far each notion carries.", "",
        f"Command: `{shlex.join(['.venv/bin/python', 'scripts/transfer.py'])}`", "",
        *table, ""]), encoding="utf-8")


if __name__ == "__main__":
    main()
