"""Pulling hashtags, mentions and links out of plain post text.

For sources whose platform does not list them (CSV files, Telegram exports). Each function returns
the items in order of first appearance, without duplicates, and without the leading ``#`` or ``@``.
"""

from __future__ import annotations

import re

__all__ = ["extract_hashtags", "extract_links", "extract_mentions"]

# A hashtag starts after a non-word character; it is not all digits (``#1`` is not a tag).
_HASHTAG = re.compile(r"(?<![\w&#/])#(\w*[^\W\d]\w*)")
# ``@budi`` and Mastodon's ``@budi@mastodon.social``; an e-mail address is not a mention.
_MENTION = re.compile(r"(?<![\w@./])@(\w{1,64}(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)")
_LINK = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'`]+", re.IGNORECASE)
# Punctuation that ends a sentence rather than a link: "lihat https://x.id/a." -> no final dot.
_LINK_TAIL = ".,;:!?'\")]}>…"


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def extract_hashtags(text: str) -> list[str]:
    """``"Ayo #JagaDamai dan #Pemilu2024"`` -> ``["JagaDamai", "Pemilu2024"]``."""
    return _unique(_HASHTAG.findall(text))


def extract_mentions(text: str) -> list[str]:
    """``"cc @infoBMKG"`` -> ``["infoBMKG"]``; e-mail addresses are skipped."""
    return _unique([m.rstrip(".") for m in _MENTION.findall(text)])


def _trim_link(link: str) -> str:
    while link and link[-1] in _LINK_TAIL:
        # keep a closing bracket that closes one opened inside the link (Wikipedia style)
        if link[-1] == ")" and link.count("(") >= link.count(")"):
            break
        link = link[:-1]
    return link


def extract_links(text: str) -> list[str]:
    """Links starting with ``http(s)://`` or ``www.``, without trailing punctuation."""
    links = (_trim_link(m) for m in _LINK.findall(text))
    return _unique([link for link in links if link and not link.lower().endswith("://")])
