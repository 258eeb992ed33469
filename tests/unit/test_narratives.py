"""Issue #14 part 2: the grouping rules (copies, reposts, paraphrases), the coordination rules
and the GEXF writer, on posts written for these tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from damai.pipeline.coordination import bursts, write_gexf
from damai.pipeline.narratives import (
    REPRESENTATIVES,
    CopyIndex,
    NarrativeGrouper,
    Signer,
    copy_text,
    similarity,
)
from damai.records import Post
from damai.respond.embed import HashEmbedder
from damai.storage import StoredPost
from damai.storage.narratives import Member

T0 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
ORIGINAL = ("Bantuan beras dari pemerintah untuk korban banjir di Demak ternyata sudah "
            "kedaluwarsa dan berulat, warga diminta jangan mau menerimanya")


def post(i: int, text: str, *, minutes: float = 0, author: str | None = None,
         repost_of: str | None = None, flags: tuple[str, ...] = ()) -> StoredPost:
    return StoredPost(i, Post("x", str(i), text, T0 + timedelta(minutes=minutes),
                              author_key=author or f"k{i}", repost_of_id=repost_of,
                              flags=list(flags)))


class Groups:
    """A grouper over a fresh in-memory index that numbers new narratives as a store would."""

    def __init__(self, **kwargs: object) -> None:
        self.grouper = NarrativeGrouper(CopyIndex(0.5), **kwargs)  # type: ignore[arg-type]
        self.next_id = 100
        self.of: dict[int, int] = {}
        self.how: dict[int, str] = {}

    def feed(self, *batch: StoredPost) -> None:
        decisions = self.grouper.assign(batch, {})
        ids = {}
        for new in decisions.new:
            ids[new.placeholder], self.next_id = self.next_id, self.next_id + 1
        self.grouper.settle(ids)
        for m in decisions.members:
            self.of[m.post_id] = ids.get(m.narrative, m.narrative)
            self.how[m.post_id] = m.how


def test_copy_text_leaves_out_links_hashtags_mentions_case_and_the_retweet_marker() -> None:
    assert copy_text("RT @kabar_a1: BANSOS dipotong!! https://s.id/xyz #Hoaks") == \
        "bansos dipotong"


@pytest.mark.parametrize(("copy", "same"), [
    # a typo in two words
    ("Bantuan beras dari pemerintah untuk korban banjr di Demak ternyata sudah "
     "kedaluwarsa dan berulat, warga dimnta jangan mau menerimanya", True),
    # added hashtags and a link
    (ORIGINAL + " #Demak #BanjirDemak https://bit.ly/3beras", True),
    # shuffled words and a changed case
    ("WARGA diminta jangan mau menerimanya: bantuan beras dari pemerintah untuk korban banjir "
     "di Demak ternyata sudah kedaluwarsa dan berulat", True),
    # the same topic in other words is no copy
    ("Beras bantuan di posko banjir Demak dibagikan hari ini, warga antre dengan tertib", False),
    ("Gempa magnitudo 5,1 mengguncang Sukabumi, belum ada laporan kerusakan", False),
])
def test_a_copy_with_small_edits_is_similar_and_another_text_is_not(copy: str,
                                                                    same: bool) -> None:
    signer = Signer()
    a, b = signer.sign(ORIGINAL), signer.sign(copy)
    assert a is not None and b is not None
    assert (similarity(a, b) >= 0.5) is same


def test_copies_join_the_first_post_s_narrative_and_other_texts_start_their_own() -> None:
    groups = Groups()
    groups.feed(post(1, ORIGINAL), post(2, ORIGINAL + " #Demak"),
                post(3, "Gempa magnitudo 5,1 mengguncang Sukabumi, belum ada laporan kerusakan"))
    groups.feed(post(4, ORIGINAL.upper() + " https://s.id/a"))
    assert groups.of[1] == groups.of[2] == groups.of[4] != groups.of[3]
    assert [groups.how[i] for i in (1, 2, 3, 4)] == ["first", "copy", "first", "copy"]


def test_a_repost_joins_its_original_s_narrative_whatever_its_text() -> None:
    groups = Groups()
    groups.feed(post(2, "RT @someone: tidak ada kata yang sama", repost_of="1"),
                post(1, ORIGINAL))
    assert groups.of[2] == groups.of[1] and groups.how[2] == "repost"


def test_a_narrative_keeps_at_most_the_stated_number_of_distinct_representatives() -> None:
    groups = Groups()
    extra = ("sungguh keterlaluan sekali", "tolong sebarkan segera", "awas hati hati semua",
             "kata kepala desa setempat", "sudah viral dimana mana")
    # each copy adds its own words: like the original, unlike one another
    batch = [post(1, ORIGINAL)] + [post(i + 2, f"{ORIGINAL} {words}")
                                   for i, words in enumerate(extra * 4)]
    groups.feed(*batch)
    (narrative,) = set(groups.of.values())
    assert 1 < len(groups.grouper.index.kept[narrative]) <= REPRESENTATIVES


def test_a_flagged_paraphrase_joins_only_a_narrative_that_shares_a_harmful_label() -> None:
    groups = Groups(embedder=HashEmbedder(), paraphrase_threshold=0.5)
    groups.feed(post(1, "pemerintah sengaja membagikan beras busuk kepada korban banjir demak",
                     flags=("hoax",)))
    # no copy of it (few 4-grams in common), but close for the fake embedder (shared words)
    groups.feed(post(2, "beras bantuan untuk pengungsi banjir demak ternyata busuk, pemerintah "
                        "sengaja diam", flags=("hoax",)))
    groups.feed(post(3, "dasar pejabat bodoh, beras busuk dibagi ke korban banjir demak oleh "
                        "pemerintah", flags=("abusive",)))
    assert groups.how[2] == "paraphrase" and groups.of[2] == groups.of[1]
    assert groups.how[3] == "first"


def member(i: int, *, minutes: float, author: str, repost_of: str | None = None) -> Member:
    """A narrative's post as its page counts it."""
    return Member(i, T0 + timedelta(minutes=minutes), "x", author, repost_of is not None,
                  "repost" if repost_of else "copy")


def members(*spec: tuple[str, float]) -> list[Member]:
    return [member(i, minutes=m, author=a) for i, (a, m) in enumerate(spec, 1)]


def test_a_burst_needs_enough_accounts_within_the_window() -> None:
    five = members(("a", 0), ("b", 1), ("c", 2), ("d", 3), ("e", 9))
    (burst,) = bursts(five, accounts=5, minutes=10)
    assert burst.accounts == ("a", "b", "c", "d", "e") and burst.posts == (1, 2, 3, 4, 5)
    assert bursts(five, accounts=6, minutes=10) == []
    assert bursts(members(("a", 0), ("b", 15), ("c", 30), ("d", 45), ("e", 60)),
                  accounts=5, minutes=10) == []
    # one account posting five times is not five accounts
    assert bursts(members(*[("a", m) for m in range(5)]), accounts=5, minutes=10) == []


def test_reposts_are_not_evidence_of_a_burst() -> None:
    spread = [member(i, minutes=i, author=f"a{i}", repost_of="99") for i in range(6)]
    assert bursts(spread, accounts=5, minutes=10) == []


def test_overlapping_windows_are_one_burst() -> None:
    spec = [(f"a{i}", float(i * 3)) for i in range(12)]  # one every 3 minutes for 33 minutes
    (burst,) = bursts(members(*spec), accounts=4, minutes=10)
    assert len(burst.posts) == 12


def test_gexf_is_read_back_with_its_nodes_and_weighted_edges(tmp_path: Path) -> None:
    from collections import Counter

    path = tmp_path / "tags.gexf"
    nodes, edges = write_gexf(Counter({("banjir", "demak"): 3, ("demak", "hoaks"): 1}), path,
                              kind="hashtags")
    assert (nodes, edges) == (3, 2)
    root = etree.parse(str(path)).getroot()
    ns = {"g": "http://gexf.net/1.3"}
    assert root.find("g:graph", ns).get("defaultedgetype") == "undirected"  # type: ignore[union-attr]
    labels = [n.get("label") for n in root.iterfind(".//g:node", ns)]
    assert labels == ["banjir", "demak", "hoaks"]
    assert [e.get("weight") for e in root.iterfind(".//g:edge", ns)] == ["3", "1"]
