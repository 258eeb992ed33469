"""The numbers of the weekly and transparency reports, as plain data (what the API returns and
the HTML and PDF show). docs/reports.md states every rule below.

- **Volume**: flagged posts per label (top-level labels; a post flagged on two labels counts in
  both) posted in the period, per UTC day.
- **Coverage**: of the distinct posts of the period flagged on a harmful label, the share that
  has an approved response.
- **Time to respond**: the median hours from storing (and flagging) a post to the approval of
  its response (approvals of the period), and to its publication (publications of the period).
- **Transparency**: counts only. Each count from 1 to ``small - 1`` is shown as ``"< small"``
  (:func:`masked`); a total of parts some of which are masked is shown as the range the shown
  parts allow (``"7–10"``), since an exact total would give a masked part away.
"""

from __future__ import annotations

import statistics
from datetime import UTC, datetime
from typing import Any

from damai.reports.period import Period
from damai.storage import Store
from damai.understand.taxonomy import load_taxonomy

__all__ = ["NO_DATA", "masked", "transparency", "weekly"]

NO_DATA = "Tidak ada data pada periode ini / No data in this period"
#: harmful labels first, then informational ones, then signals (the overview's order)
_ORDER = {"harm": 0, "info": 1, "signal": 2}


def _median_hours(seconds: list[float]) -> float | None:
    return round(statistics.median(seconds) / 3600, 2) if seconds else None


def _labels(counts: dict[str, int]) -> list[dict[str, Any]]:
    """Top-level labels with their kind and names, harmful first."""
    taxonomy = load_taxonomy()
    top = sorted((label for label in counts if "." not in label),
                 key=lambda lb: (_ORDER.get(taxonomy.kind(lb), 3), lb))
    return [{"label": lb, "kind": taxonomy.kind(lb),
             "names": {"id": taxonomy.name(lb, "id"), "en": taxonomy.name(lb, "en")}}
            for lb in top]


def _volume(store: Store, period: Period) -> list[dict[str, Any]]:
    per_day = store.labels.flag_volume(period.since)
    totals = store.tallies.flags(period.since, period.until)
    rows = []
    for row in _labels(totals):
        days = per_day.get(row["label"], {})
        rows.append({**row, "total": totals[row["label"]],
                     "days": [days.get(d, 0) for d in period.days]})
    return rows


def _header(kind: str, period: Period) -> dict[str, Any]:
    return {"kind": kind, "period": period.to_dict(),
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds")}


def weekly(store: Store, period: Period) -> dict[str, Any]:
    """The weekly report's figures for ``period``."""
    t, (since, until) = store.tallies, (period.since, period.until)
    taxonomy = load_taxonomy()
    harmful = [n for n in store.labels.names() if "." not in n and taxonomy.is_harmful(n)]
    flagged = t.flagged_posts(harmful, since, until)
    covered = t.covered(harmful, since, until)
    delays = t.response_delays(since, until)
    published = t.published(since, until)
    posts = t.posts(since, until)
    found = {**_header("weekly", period), "days": period.days, "posts": sum(posts.values()),
             "volume": _volume(store, period),
             "narratives": [{"id": i, "title": title, "posts": n}
                            for i, title, n in t.top_narratives(since, until)],
             "responses": t.responses(since, until),
             "published": {"total": sum(published.values()), "channels": published},
             "coverage": {"flagged": flagged, "covered": covered,
                          "share": round(covered / flagged, 4) if flagged else None},
             "time_to_respond": {
                 "approval_median_hours": _median_hours(delays["approval"]),
                 "approvals": len(delays["approval"]),
                 "publication_median_hours": _median_hours(delays["publication"]),
                 "publications": len(delays["publication"])}}
    found["empty"] = not (found["posts"] or found["volume"] or any(found["responses"].values())
                          or published)
    return found


def masked(n: int, small: int) -> int | str:
    """``n``, or ``"< small"`` when it is from 1 to ``small - 1``."""
    return f"< {small}" if 0 < n < small else n


def _masked_total(parts: list[int], small: int) -> int | str:
    """The sum of ``parts``; when some parts are masked, the range it lies in as far as the
    shown parts tell (``"7–10"``), so the total gives no masked part away."""
    hidden = [p for p in parts if 0 < p < small]
    if not hidden:
        return masked(sum(parts), small)
    shown = sum(p for p in parts if not 0 < p < small)
    low, high = shown + len(hidden), shown + len(hidden) * (small - 1)
    return f"< {small}" if high < small else f"{low}–{high}"


def transparency(store: Store, period: Period, small: int) -> dict[str, Any]:
    """The transparency report's aggregates for ``period``; no text, account or user name."""
    t, (since, until) = store.tallies, (period.since, period.until)
    flags, judged = t.flags(since, until), t.judgements(since, until)
    published = t.published(since, until)
    responses = t.responses(since, until)
    labels = [{**row, "flagged": masked(flags[row["label"]], small),
               "confirmed": masked(judged.get(row["label"], {}).get("confirmed", 0), small),
               "dismissed": masked(judged.get(row["label"], {}).get("dismissed", 0), small)}
              for row in _labels(flags)]
    alerts = t.alerts_published(since, until)
    found = {**_header("transparency", period), "small_count": small, "labels": labels,
             "responses": {k: masked(v, small) for k, v in responses.items()},
             "published": {"total": _masked_total(list(published.values()), small),
                           "channels": {c: masked(n, small)
                                        for c, n in sorted(published.items())}},
             "alerts_published": masked(alerts, small)}
    found["empty"] = not (flags or any(responses.values()) or published or alerts)
    return found
