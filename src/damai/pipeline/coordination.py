"""Coordination signals and the networks behind them (issue #14 part 2).

A signal is a stated rule over posts, shown with its evidence: the posts and the groups of
pseudonymised accounts that meet it. It is never a score, a list or a verdict about a person:
coordinated-looking posting has innocent causes (a share button, a campaign of friends), and a
human reads the evidence. The two rules (docs/narratives.md):

1. **Burst** (:func:`bursts`): within one narrative, at least ``DAMAI_NARRATIVES_BURST_ACCOUNTS``
   distinct accounts post its text (not reposts) within ``DAMAI_NARRATIVES_BURST_MINUTES`` of each
   other. Overlapping windows are one burst.
2. **Repost ring** (:func:`repost_rings`): account A reposted account B at least
   ``DAMAI_NARRATIVES_COREPOST_MIN`` times, and those reposts are at least
   ``DAMAI_NARRATIVES_COREPOST_SHARE`` of all A's reposts in the store. Accounts joined by such
   pairs (in either direction) form one group.

The co-hashtag and co-repost networks are written as GEXF 1.3 for Gephi (:func:`write_gexf`),
with lxml: nodes are hashtags or pseudonymised account keys, never handles.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from lxml import etree

from damai import settings
from damai.storage import Store
from damai.storage.narratives import Member

__all__ = ["Burst", "RepostRing", "bursts", "hashtag_network", "repost_network", "repost_rings",
           "write_gexf"]

_GEXF = "http://gexf.net/1.3"


@dataclass(frozen=True, slots=True)
class Burst:
    """Posts of one narrative by many accounts within minutes (rule 1)."""

    start: datetime
    end: datetime
    accounts: tuple[str, ...]
    posts: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"rule": "burst", "start": self.start.isoformat(), "end": self.end.isoformat(),
                "accounts": list(self.accounts), "posts": list(self.posts)}


@dataclass(frozen=True, slots=True)
class RepostRing:
    """Accounts that repost one another almost only (rule 2), with each pair's evidence:
    ``(reposter, original, reposts of the original, all reposts of the reposter)``."""

    accounts: tuple[str, ...]
    pairs: tuple[tuple[str, str, int, int], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"rule": "repost_ring", "accounts": list(self.accounts),
                "pairs": [{"reposter": a, "original": b, "reposts": n, "all_reposts": total}
                          for a, b, n, total in self.pairs]}


def bursts(members: Sequence[Member], *, accounts: int | None = None,
           minutes: float | None = None) -> list[Burst]:
    """Rule 1 over a narrative's posts (reposts and posts with no account key are left out)."""
    need = accounts if accounts is not None else settings.get_int("narratives_burst_accounts")
    span = timedelta(minutes=minutes if minutes is not None
                     else settings.get_float("narratives_burst_minutes"))
    posts = sorted((s for s in members if not s.repost and s.author_key),
                   key=lambda s: (s.created_at, s.id))
    windows: list[tuple[int, int]] = []
    in_window: Counter[str] = Counter()
    left = 0
    for right, stored in enumerate(posts):
        in_window[str(stored.author_key)] += 1
        while stored.created_at - posts[left].created_at > span:
            _drop(in_window, str(posts[left].author_key))
            left += 1
        if len(in_window) >= need:
            windows.append((left, right))
    return [_burst(posts[a:b + 1]) for a, b in _merged(windows)]


def _drop(counter: Counter[str], key: str) -> None:
    counter[key] -= 1
    if counter[key] <= 0:
        del counter[key]


def _merged(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in windows:
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _burst(posts: Sequence[Member]) -> Burst:
    keys = tuple(dict.fromkeys(str(s.author_key) for s in posts))
    return Burst(posts[0].created_at, posts[-1].created_at, keys,
                 tuple(s.id for s in posts))


def repost_rings(store: Store, accounts: Iterable[str], *, minimum: int | None = None,
                 share: float | None = None) -> list[RepostRing]:
    """Rule 2 for reposts made by ``accounts`` (at most 500 of them are looked at)."""
    least = minimum if minimum is not None else settings.get_int("narratives_corepost_min")
    part = share if share is not None else settings.get_float("narratives_corepost_share")
    authors = list(dict.fromkeys(accounts))[:500]
    if not authors:
        return []
    totals = store.narratives.reposts_by(authors)
    pairs = [(p.reposter, p.original, p.n, totals.get(p.reposter, p.n))
             for p in store.narratives.repost_pairs(authors)
             if p.reposter != p.original and p.n >= least
             and p.n >= part * totals.get(p.reposter, p.n)]
    return [RepostRing(tuple(sorted(group)),
                       tuple(sorted(q for q in pairs if q[0] in group)))
            for group in _components(pairs)]


def _components(pairs: Sequence[tuple[str, str, int, int]]) -> list[set[str]]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, _, _ in pairs:
        parent[find(a)] = find(b)
    groups: dict[str, set[str]] = {}
    for x in list(parent):
        groups.setdefault(find(x), set()).add(x)
    return sorted(groups.values(), key=lambda g: (-len(g), sorted(g)))


# -- networks for Gephi ---------------------------------------------------------------------------
def hashtag_network(store: Store, narrative_id: int | None = None) -> Counter[tuple[str, str]]:
    """Co-hashtag edges: two hashtags (lower case) in one post, counted over posts."""
    edges: Counter[tuple[str, str]] = Counter()
    for tags in store.narratives.hashtag_lists(narrative_id):
        unique = sorted({t.lower().lstrip("#") for t in tags if t})
        edges.update((a, b) for i, a in enumerate(unique) for b in unique[i + 1:])
    return edges


def repost_network(store: Store, narrative_id: int | None = None) -> Counter[tuple[str, str]]:
    """Co-repost edges: reposter → original author (pseudonymised keys), counted."""
    authors = None
    if narrative_id is not None:
        authors = list(dict.fromkeys(
            str(m.author_key) for m in store.narratives.member_facts(narrative_id, 50_000)
            if m.author_key))
    return Counter({(p.reposter, p.original): p.n
                    for p in store.narratives.repost_pairs(authors)})


def write_gexf(edges: Counter[tuple[str, str]], path: Path, *,
               kind: Literal["hashtags", "reposts"]) -> tuple[int, int]:
    """Write ``edges`` as GEXF 1.3 (undirected for hashtags, directed for reposts); return the
    number of nodes and edges."""
    root = etree.Element(f"{{{_GEXF}}}gexf", nsmap={None: _GEXF},  # type: ignore[dict-item]
                         version="1.3")
    meta = etree.SubElement(root, "meta")
    etree.SubElement(meta, "creator").text = "Damai"
    etree.SubElement(meta, "description").text = (
        "co-hashtag network" if kind == "hashtags"
        else "co-repost network (pseudonymised account keys)")
    graph = etree.SubElement(root, "graph", defaultedgetype="undirected" if kind == "hashtags"
                             else "directed")
    nodes = etree.SubElement(graph, "nodes")
    names = sorted({n for pair in edges for n in pair})
    ids = {name: str(i) for i, name in enumerate(names)}
    for name in names:
        etree.SubElement(nodes, "node", id=ids[name], label=name)
    links = etree.SubElement(graph, "edges")
    for i, ((a, b), weight) in enumerate(sorted(edges.items())):
        etree.SubElement(links, "edge", id=str(i), source=ids[a], target=ids[b],
                         weight=str(weight))
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                    pretty_print=True))
    return len(names), len(edges)
