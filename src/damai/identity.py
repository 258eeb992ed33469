"""Post identity and links without the author's name (issue #10).

Pseudonymising ``author_id`` is worthless if the name rides along elsewhere: X's
``https://x.com/<handle>/status/<id>``, Mastodon's ``https://host/@<name>/<id>`` and its
ActivityPub id ``https://host/users/<name>/statuses/<id>`` (which Damai used as ``platform_id``),
Bluesky's ``https://bsky.app/profile/<handle>/post/<rkey>`` and Telegram's
``https://t.me/<username>/<id>``. So the mappers store:

========  ==============================================  =====================================
platform  ``url`` (handle-free)                           ``platform_id``
========  ==============================================  =====================================
x         ``https://x.com/i/web/status/ID``                the tweet id (unchanged)
mastodon  ``https://HOST/web/statuses/ID`` (the origin     :func:`mastodon_key` of the status
          server's web app; other servers' links that      ``uri``: a SHA-256 prefix, so the
          carry no name are kept, those that do dropped)   name is not in the key
bluesky   ``https://bsky.app/profile/DID/post/RKEY``       the ``at://`` URI (unchanged; it has
                                                           the DID, never the handle)
telegram  ``https://t.me/c/CHAT/ID`` (opens for members)   ``CHAT/ID`` (unchanged)
========  ==============================================  =====================================

A registered account (``damai accounts add``) or ``DAMAI_STORE_HANDLES=true`` keeps its handle,
and :class:`damai.privacy.Pseudonymiser` then puts the handle back into the link with
:func:`url_with_handle` (not for Telegram, whose links name the chat, not the author).

Stores written before issue #10 hold the old forms. Until they are migrated, the web and the
exports show :func:`display_url`, which hides the name of a row whose handle was not kept.
:func:`migrate_post_identity` maps one old row ``(platform, platform_id, url)`` to the new one,
for a data migration; it is pure, and
idempotent (a row already in the new form comes back unchanged). Mastodon rows also refer to
each other by URI (``repost_of_id``, ``quote_of_id``): map those with
:func:`migrate_reference`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Final
from urllib.parse import urlsplit

from damai.records import Post

__all__ = [
    "bluesky_url",
    "display_url",
    "mastodon_key",
    "mastodon_url",
    "migrate_post_identity",
    "migrate_reference",
    "telegram_url",
    "url_with_handle",
    "x_url",
]

#: ``keep(platform, handle)``: whether a handle may stay in a link (a registered account)
KeepHandle = Callable[[str, str], bool]

_MASTODON_PATHS: Final = (
    re.compile(r"^/@(?P<name>[^/@]+)(?:@[^/]+)?/(?P<id>[0-9A-Za-z]+)/?$"),
    re.compile(r"^/users/(?P<name>[^/]+)/statuses/(?P<id>[0-9A-Za-z]+)/?$"),
)
_NAMED_PATH: Final = re.compile(r"/@|/users/|/u/|/profile/|/accounts/")
_HANDLE_FREE_MASTODON: Final = re.compile(r"^/web/statuses/(?P<id>[0-9A-Za-z]+)$")
_X_STATUS: Final = re.compile(r"^https://(?:x|twitter)\.com/(?P<who>[^/]+)/status/(?P<id>\d+)")
_X_FREE: Final = "https://x.com/i/web/status/"
_TELEGRAM: Final = re.compile(r"^https://t\.me/(?P<who>[^/]+)/(?P<id>\d+)$")
_BLUESKY_POST: Final = "app.bsky.feed.post"


def _never(_: str, __: str) -> bool:
    return False


def x_url(tweet_id: str) -> str:
    """The handle-free link to a tweet (X redirects it to the author's page)."""
    return _X_FREE + tweet_id


def mastodon_key(uri: str) -> str:
    """``platform_id`` of a Mastodon status: the first 32 hex digits of SHA-256 of its
    ActivityPub ``uri``. Stable across instances (every server sees the same ``uri``)."""
    return hashlib.sha256(uri.encode("utf-8")).hexdigest()[:32]


def mastodon_url(url: str | None) -> str | None:
    """A status link without the account name: ``https://HOST/web/statuses/ID`` for Mastodon's
    ``/@name/ID`` and ``/users/name/statuses/ID``; another server's link is kept when it names
    no account (``/notes/ID``), dropped when it does."""
    if not url:
        return None
    parts = urlsplit(url)
    for pattern in (*_MASTODON_PATHS, _HANDLE_FREE_MASTODON):
        found = pattern.match(parts.path)
        if found and parts.scheme in ("http", "https") and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}/web/statuses/{found['id']}"
    return None if _NAMED_PATH.search(parts.path) else url


def bluesky_url(uri: str, who: str | None = None) -> str | None:
    """The bsky.app link of a post ``at://DID/app.bsky.feed.post/RKEY``, by DID (or by ``who``,
    a kept handle)."""
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3 or parts[1] != _BLUESKY_POST:
        return None
    return f"https://bsky.app/profile/{who or parts[0]}/post/{parts[2]}"


def telegram_url(chat_id: str, message_id: str) -> str:
    """The link to a message by chat id, which names no one (it opens for the chat's members)."""
    return f"https://t.me/c/{chat_id}/{message_id}"


def url_with_handle(platform: str, url: str | None, handle: str) -> str | None:
    """The handle-free ``url`` with a kept handle put back, or ``url`` when the platform's links
    cannot carry it (Telegram) or the handle belongs to another server."""
    name = handle.strip().lstrip("@")
    if not url or not name:
        return url
    if platform == "x" and url.startswith(_X_FREE):
        return f"https://x.com/{name}/status/{url.removeprefix(_X_FREE)}"
    if platform == "mastodon":
        return _mastodon_with_handle(url, name)
    if platform == "bluesky" and url.startswith("https://bsky.app/profile/did:"):
        profile, _, rest = url.removeprefix("https://bsky.app/profile/").partition("/")
        return f"https://bsky.app/profile/{name}/{rest}" if profile and rest else url
    return url


def _mastodon_with_handle(url: str, name: str) -> str:
    parts = urlsplit(url)
    found = _HANDLE_FREE_MASTODON.match(parts.path)
    user, _, host = name.partition("@")
    if not found or (host and host.lower() != parts.netloc.lower()):
        return url
    return f"{parts.scheme}://{parts.netloc}/@{user}/{found['id']}"


def display_url(post: Post) -> str | None:
    """The link to show or export for a stored post: as stored when its handle was kept, else
    in the handle-free form, so a row stored before issue #10 and not yet migrated shows no
    name (on the post page, in the API and in exports)."""
    if post.author_handle:
        return post.url
    return migrate_post_identity(post.platform, post.platform_id, post.url)[1]


def migrate_reference(platform: str, value: str | None) -> str | None:
    """A stored reference to another post (``repost_of_id``, ``quote_of_id``) in the new key
    form: a Mastodon status URI becomes its :func:`mastodon_key`; anything else is unchanged."""
    if platform == "mastodon" and value and "://" in value:
        return mastodon_key(value)
    return value


def migrate_post_identity(platform: str, platform_id: str, url: str | None, *,
                          keep: KeepHandle = _never) -> tuple[str, str | None]:
    """``(platform_id, url)`` of a row stored before issue #10, in today's form.

    ``keep(platform, handle)`` says whether the handle in the old link may stay (pass the
    registered accounts, or ``lambda *_: True`` under ``DAMAI_STORE_HANDLES=true``). Pure and
    idempotent."""
    if platform == "x":
        return platform_id, _migrate_x(url, keep)
    if platform == "mastodon":
        key = migrate_reference(platform, platform_id) or platform_id
        free = mastodon_url(url)  # what the mapper makes of the status url today
        named = _mastodon_name(url)
        if named and free and keep(platform, named):
            return key, url_with_handle(platform, free, named)
        return key, free
    if platform == "bluesky":
        return platform_id, _migrate_bluesky(platform_id, url, keep)
    if platform == "telegram":
        return platform_id, _migrate_telegram(platform_id, url, keep)
    return platform_id, url


def _migrate_x(url: str | None, keep: KeepHandle) -> str | None:
    found = _X_STATUS.match(url or "")
    if not found:
        return url
    who = found["who"]
    if who != "i" and keep("x", who):
        return url
    return x_url(found["id"])


def _mastodon_name(url: str | None) -> str | None:
    parts = urlsplit(url or "")
    for pattern in _MASTODON_PATHS:
        found = pattern.match(parts.path)
        if found and parts.netloc:
            return f"{found['name']}@{parts.netloc}"
    return None


def _migrate_bluesky(platform_id: str, url: str | None, keep: KeepHandle) -> str | None:
    if not url or not url.startswith("https://bsky.app/profile/"):
        return url
    who = url.removeprefix("https://bsky.app/profile/").split("/", 1)[0]
    if who.startswith("did:") or keep("bluesky", who):
        return url
    return bluesky_url(platform_id) or None


def _migrate_telegram(platform_id: str, url: str | None, keep: KeepHandle) -> str | None:
    found = _TELEGRAM.match(url or "")
    if not found or found["who"] == "c" or keep("telegram", found["who"]):
        return url
    chat, _, message = platform_id.partition("/")
    return telegram_url(chat, message) if chat and message else None
