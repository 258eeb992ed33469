"""Evaluate the hoax patterns (issue #13 part 7) on a labelled JSONL file, by default
``seeds/hoaxwatch/heldout.jsonl``: lines ``{"text", "family": FAMILY or null}``, null for a
debunk or an everyday post.

Prints, per family, how many of its posts were flagged with it (recall) and how many flags of
it were right (precision), and how many null posts were flagged at all (false flags).

    .venv/bin/python scripts/evaluate_hoax_patterns.py [FILE.jsonl]
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import orjson

from damai.understand.hoax_patterns import load_patterns, scan

HELDOUT = Path(__file__).resolve().parents[1] / "seeds" / "hoaxwatch" / "heldout.jsonl"


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else HELDOUT
    rows = [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
    truth, flagged, right = Counter[str](), Counter[str](), Counter[str]()
    false_flags = 0
    for row in rows:
        found = scan(row["text"])
        got = {h.family.id for h in found.hits} if found.flagged else set()
        truth[row["family"] or "-"] += 1
        flagged.update(got)
        right.update(got & {row["family"]})
        false_flags += bool(got) and row["family"] is None
    print(f"{path.name}: {len(rows)} posts")
    for family in (f.id for f in load_patterns().families):
        print(f"  {family}: recall {right[family]}/{truth[family]}, "
              f"precision {right[family]}/{flagged[family]}")
    print(f"  no family (debunks, everyday): {false_flags}/{truth['-']} flagged")


if __name__ == "__main__":
    main()
