"""The values ``post_terms`` keeps for the drill-down filters (issue #14 part 3): hashtags
without ``#`` and lower case, links exactly, and the host of http(s) links as a domain."""

from __future__ import annotations

import pytest

from damai.errors import InputError
from damai.storage.terms import MOST_BYTES, host_of, normal_domain, terms_of


def test_hashtags_are_kept_lower_case_without_their_hash_once_each() -> None:
    assert terms_of(["#BanjirBandung", "banjirbandung", " #Gempa ", "#", "", 7], []) == {
        ("hashtag", "banjirbandung"), ("hashtag", "gempa")}


def test_a_link_is_kept_exactly_and_its_host_as_a_domain() -> None:
    assert terms_of([], ["https://www.Kabar.example:8443/Jalan?id=1#atas"]) == {
        ("link", "https://www.Kabar.example:8443/Jalan?id=1#atas"),
        ("domain", "kabar.example")}


@pytest.mark.parametrize(("link", "host"), [
    ("http://sub.kabar.example/usir", "sub.kabar.example"),
    ("HTTPS://WWW.KABAR.EXAMPLE", "kabar.example"),
    ("https://budi:rahasia@kabar.example/x", "kabar.example"),  # who logs in is not the host
    ("http://cermin.example/kabar.example/gempa", "cermin.example"),  # a name in the path
    ("ftp://kabar.example/berkas", None),
    ("mailto:redaksi@kabar.example", None),
    ("kabar.example/tanpa-skema", None),
    ("https://[::1", None),  # an unclosed IPv6 bracket
    ("https:///tanpa-host", None),
])
def test_only_http_links_have_a_domain(link: str, host: str | None) -> None:
    assert host_of(link) == host


def test_values_too_long_for_an_index_entry_are_left_out() -> None:
    long_link = "https://kabar.example/" + "é" * MOST_BYTES  # two bytes a character
    assert terms_of(["a" * (MOST_BYTES + 1)], [long_link]) == {("domain", "kabar.example")}
    assert terms_of(["a" * MOST_BYTES], []) == {("hashtag", "a" * MOST_BYTES)}


@pytest.mark.parametrize("bad", ["", "   ", "kabar.example/jalan", "%.example", "a:b",
                                 "x" * 254])
def test_a_domain_filter_must_be_a_host_name(bad: str) -> None:
    with pytest.raises(InputError, match="host name"):
        normal_domain(bad)
