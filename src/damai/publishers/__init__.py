"""Publishers (issue #12): one interface, one module per platform, each on the platform's own
client library. See :mod:`damai.publishers.base` for the contract and docs/architecture.md
("Publishers") for the choice of libraries.

:func:`open_publisher` builds the publisher of a channel (``PLATFORM:ACCOUNT``) from the
settings: the API base URL, the timeout, and the account's credential, read with
:func:`damai.settings.get_secret` (the account's own value first). Credentials live only in the
environment or the secrets file and inside the client; nothing here logs or returns them.
"""

from __future__ import annotations

from damai import settings
from damai.errors import ConfigError
from damai.publishers.base import (
    METRICS_PLATFORMS,
    PLATFORMS,
    Channel,
    FakePublisher,
    Media,
    Metrics,
    Outgoing,
    Posted,
    Publisher,
    parse_channel,
)

__all__ = ["METRICS_PLATFORMS", "PLATFORMS", "Channel", "FakePublisher", "Media", "Metrics",
           "Outgoing", "Posted", "Publisher", "open_publisher", "parse_channel"]

#: per platform: the base-URL setting and the secret setting
_SETTINGS: dict[str, tuple[str, str]] = {
    "mastodon": ("mastodon_publish_url", "mastodon_publish_token"),
    "bluesky": ("bluesky_publish_url", "bluesky_publish_password"),
    "x": ("x_publish_url", "x_publish_token"),
    "telegram": ("telegram_api_url", "telegram_bot_token"),
}


def open_publisher(channel: Channel) -> Publisher:
    """The publisher of ``channel``, configured from the settings; :class:`ConfigError` when the
    account has no credential."""
    url_setting, secret_setting = _SETTINGS[channel.platform]
    secret = settings.get_secret(secret_setting, account=channel.account).strip()
    if not secret:
        env = f"DAMAI_{secret_setting.upper()}"
        raise ConfigError(
            f"kanal {channel} belum punya kredensial: isi {env} (atau {env}__AKUN) di lingkungan "
            f"atau berkas rahasia / channel {channel} has no credential: set {env} (or "
            f"{env}__ACCOUNT) in the environment or the secrets file")
    base_url = settings.get(url_setting) or _default_url(channel)
    timeout = settings.get_float("publish_timeout")
    if channel.platform == "mastodon":
        from damai.publishers.mastodon import MastodonPublisher
        return MastodonPublisher(channel, base_url=base_url, token=secret, timeout=timeout)
    if channel.platform == "bluesky":
        from damai.publishers.bluesky import BlueskyPublisher
        return BlueskyPublisher(channel, base_url=base_url, password=secret, timeout=timeout)
    if channel.platform == "x":
        from damai.publishers.x import XPublisher
        return XPublisher(channel, base_url=base_url, token=secret, timeout=timeout)
    from damai.publishers.telegram import TelegramPublisher
    return TelegramPublisher(channel, base_url=base_url, token=secret, timeout=timeout)


def _default_url(channel: Channel) -> str:
    """Mastodon's API lives on the account's instance (``user@instance``)."""
    _, at, instance = channel.account.partition("@")
    if not at or not instance:
        raise ConfigError(
            f"kanal {channel}: tulis akun Mastodon sebagai mastodon:PENGGUNA@INSTANCE, atau isi "
            f"DAMAI_MASTODON_PUBLISH_URL / channel {channel}: write the Mastodon account as "
            "mastodon:USER@INSTANCE, or set DAMAI_MASTODON_PUBLISH_URL")
    return f"https://{instance}"
