"""Issue #12: the pure rules under the publishers: channel names, Bluesky record keys, and which
credential a channel's account gets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from damai import settings
from damai.errors import InputError
from damai.publishers import Channel, parse_channel
from damai.publishers.bluesky import record_key
from damai.publishers.x import comparable

T = datetime(2026, 12, 2, 13, 45, 7, 123456, tzinfo=UTC)


@pytest.mark.parametrize(("spec", "expected"), [
    ("mastodon:@Damai@Social.Example.id", Channel("mastodon", "damai@social.example.id")),
    ("bluesky:damai.bsky.social", Channel("bluesky", "damai.bsky.social")),
    ("X:@damai_ID", Channel("x", "damai_id")),
    ("telegram:damai_channel", Channel("telegram", "@damai_channel")),
    ("telegram:-1001234567890", Channel("telegram", "-1001234567890")),
])
def test_a_channel_names_a_platform_and_an_account(spec: str, expected: Channel) -> None:
    assert parse_channel(spec) == expected
    assert parse_channel(str(expected)) == expected


@pytest.mark.parametrize("spec", ["twitter:damai", "mastodon", "mastodon:", "bluesky:@", ""])
def test_an_unknown_channel_is_refused_in_both_languages(spec: str) -> None:
    with pytest.raises(InputError, match=r"tidak dikenal.* / unknown channel"):
        parse_channel(spec)


def test_a_bluesky_record_key_is_a_tid_fixed_by_the_publication() -> None:
    key = record_key(42, T)
    assert len(key) == 13 and set(key) <= set("234567abcdefghijklmnopqrstuvwxyz")
    assert key[0] in "234567abcdefghij"  # the top bit is 0
    assert record_key(42, T) == key  # every attempt writes the same record
    assert record_key(43, T) != key and record_key(42, T + timedelta(microseconds=1)) != key
    assert record_key(1, T) < record_key(1, T + timedelta(seconds=1))  # sortable by time


def test_x_text_is_compared_without_links_and_entities() -> None:
    assert comparable("Damai &amp; rukun  https://t.co/abc123\n#damai") == comparable(
        "Damai & rukun https://example.id/panjang #damai")


def test_the_account_s_own_secret_wins_over_the_shared_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name, account = "mastodon_publish_token", "damai@social.example.id"
    assert settings.get_secret(name, account=account) == ""
    secrets = tmp_path / "secrets"
    secrets.write_text("MASTODON_PUBLISH_TOKEN=shared-file\n"
                       "mastodon_publish_token__damai_social_example_id=own-file\n")
    monkeypatch.setenv("DAMAI_SECRETS_FILE", str(secrets))
    assert settings.get_secret(name, account=account) == "own-file"
    assert settings.get_secret(name, account="lain@social.example.id") == "shared-file"
    assert settings.get_secret(name) == "shared-file"
    monkeypatch.setenv("DAMAI_MASTODON_PUBLISH_TOKEN__DAMAI_SOCIAL_EXAMPLE_ID", "own-env")
    assert settings.get_secret(name, account=account) == "own-env"
