"""Settings, declared once.

Each :class:`Setting` has a name, a default and a help text. The environment variable is
``DAMAI_<NAME>``; CLI flags and ``docs/settings.md`` are generated from this list, and a test checks
that the document is current. Secrets are read only from the environment or from a secrets file
(``DAMAI_SECRETS_FILE``, one ``NAME=value`` per line) and never printed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import platformdirs

from damai.errors import ConfigError

__all__ = ["SETTINGS", "Setting", "data_dir", "default_db_url", "get", "get_float", "get_secret",
           "render_docs"]


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: str
    help: str
    secret: bool = False

    @property
    def env(self) -> str:
        return f"DAMAI_{self.name.upper()}"


SETTINGS: Final[tuple[Setting, ...]] = (
    Setting("db", "", "Database URL: sqlite:////ABSOLUTE/PATH, sqlite:///RELATIVE/PATH or "
            "postgresql://USER@HOST/DB. Empty means the SQLite "
            "file damai.sqlite3 in the data directory."),
    Setting("data_dir", "", "Folder for the default database, the installation secret and "
            "watch cursors. Empty means the platform's user data directory."),
    Setting("raw_retention_days", "30", "Days to keep each post's raw JSON. After that "
            "`damai purge` (also run at the end of every ingest) removes it; the mapped post "
            "stays."),
    Setting("store_handles", "false", "Store every author's handle (true), or only handles of "
            "registered accounts (false, the default)."),
    Setting("batch_size", "1000", "Posts written per database transaction during ingest."),
    Setting("max_line_bytes", "1048576", "Longest input line accepted; longer lines are "
            "quarantined."),
    Setting("max_json_depth", "64", "Deepest nesting of JSON arrays and objects a record may "
            "have (files and the API); deeper records are quarantined as too_deep before they "
            "are parsed. Real platform records stay under about 12."),
    Setting("api_max_body_bytes", "10485760", "Largest request body the HTTP API accepts "
            "(POST /api/v1/ingest and /api/v1/classify); larger bodies get 413."),
    Setting("api_sync_ingest_bytes", "1048576", "POST /api/v1/ingest bodies up to this size are "
            "ingested while the client waits; larger ones are accepted with 202 and run as a "
            "job (GET /api/v1/jobs/ID), kept in the database across restarts."),
    Setting("api_max_classify_texts", "100", "Most texts one POST /api/v1/classify request may "
            "send."),
    Setting("api_max_classify_chars", "200000", "Most characters, all texts together, one POST "
            "/api/v1/classify request may send; more gets 413."),
    Setting("web_max_body_bytes", "65536", "Largest request body a dashboard page accepts "
            "(its forms are small); larger bodies get 413. The API has its own limit."),
    Setting("secrets_file", "", "Path of a file with NAME=value lines for secrets "
            "(x_bearer_token, mastodon_access_token, bluesky_password, installation_secret, "
            "the publish tokens)."),
    Setting("installation_secret", "", "Secret key for pseudonymising author ids. Empty means a "
            "random key kept in the data directory.", secret=True),
    Setting("x_bearer_token", "", "Bearer token for the X API v2.", secret=True),
    Setting("mastodon_access_token", "", "Access token for Mastodon (optional for public "
            "timelines). Write TOKEN@https://instance to send it to that instance only; a bare "
            "token goes to every watched instance.", secret=True),
    Setting("bluesky_handle", "", "Bluesky handle for authenticated search (optional)."),
    Setting("bluesky_password", "", "Bluesky app password (optional).", secret=True),
    Setting("cookie_secure", "true", "Mark the dashboard's session cookie Secure (true, the "
            "default; browsers keep Secure cookies on http://127.0.0.1 and http://localhost) or "
            "not (false: only for a plain-HTTP server reached by another host name)."),
    Setting("session_hours", "12", "Hours a dashboard login lasts before the user must log in "
            "again."),
    Setting("require_2fa", "false", "true: admins and approvers must turn on TOTP two-factor "
            "login (issue #14); until they do, the dashboard shows them only the set-up page."),
    Setting("login_rate", "5/minute;20/hour", "Login attempts allowed per IP address and, "
            "separately, per user name (limits syntax; counted in memory per process)."),
    Setting("claims_threshold", "0.90", "Cosine of multilingual-e5 embeddings (the post as "
            "`query:`, the claim as `passage:`) at which a post repeats a known claim; tuned on "
            "seeds/claims/dev.jsonl."),
    Setting("claims_min_lexical", "0.5", "BM25 score a post must reach against some claim to "
            "be embedded at all: the cheap filter that keeps ingest fast. Lower finds more "
            "paraphrases and costs more."),
    Setting("claims_min_shared", "2", "Distinct content words a post must share with a claim "
            "for the claim to be a candidate (all of them for a shorter claim). Each post that "
            "has a candidate is embedded, about 40 ms of CPU: higher is faster and misses "
            "more paraphrases. Used by `damai claims match` and `damai evaluate-claims`."),
    Setting("claims_ingest_min_shared", "3", "The same for the claims stage of ingest and "
            "reclassify, where speed matters most (see docs/architecture.md, \"Claim "
            "matching\", for what each value costs and finds)."),
    Setting("response_block_score", "0.6", "A response text flagged on a harmful label "
            "(hate_speech, abusive, radicalism, sara, hoax) with at least this score is blocked "
            "until an edit clears it. Flag thresholds are tuned to catch posts for triage and "
            "sit lower (0.2-0.6): at them 31 of the starter library's 252 texts would be "
            "blocked; at 0.6, 6 (see docs/architecture.md)."),
    Setting("dry_run_file", "", "File the dry-run publishing channel appends each new "
            "publication to, one JSON line each (besides the outbox in the database); empty: "
            "the outbox only."),
    Setting("publish_timeout", "30", "Seconds to wait for a platform's answer when publishing; "
            "a post that timed out is looked up on the platform before any retry."),
    Setting("publish_attempts", "4", "Tries per publication on 429 and 5xx answers (waiting as "
            "long as the platform's retry headers say, else backing off) before it is marked "
            "failed; `damai publish` again retries a failed one."),
    Setting("publish_rate_limits", "mastodon=300/10800,bluesky=1666/3600,x=100/86400,"
            "telegram=20/60", "Posts per account per window (seconds), per platform, and per "
            "channel when named in full (e.g. x:damai_id=17/86400 for X's free tier), comma "
            "separated. The defaults are the platforms' own: Mastodon 300 statuses in 3 hours, "
            "Bluesky 1,666 records an hour, X Basic 100 posts a day, Telegram 20 messages a "
            "minute to one chat. Posts over the limit wait in the queue."),
    Setting("publish_max_wait", "120", "Seconds `damai publish` waits in the foreground for "
            "the rate limit or a 429 before it leaves the publication queued for `damai "
            "worker` (or `damai serve`'s scheduler) to send."),
    Setting("mastodon_publish_url", "", "API base URL for publishing to Mastodon; empty: "
            "https://INSTANCE of the channel's account (mastodon:USER@INSTANCE)."),
    Setting("mastodon_publish_token", "", "Access token (scope write:statuses and "
            "read:accounts) of the account a mastodon: channel publishes as. One per account: "
            "DAMAI_MASTODON_PUBLISH_TOKEN__ACCOUNT (the account in capitals, other characters "
            "as _), else this one.", secret=True),
    Setting("bluesky_publish_url", "https://bsky.social", "PDS base URL for publishing to "
            "Bluesky."),
    Setting("bluesky_publish_password", "", "App password of the handle a bluesky: channel "
            "publishes as (per account as for DAMAI_MASTODON_PUBLISH_TOKEN).", secret=True),
    Setting("x_publish_url", "https://api.x.com", "API base URL for publishing to X."),
    Setting("x_publish_token", "", "OAuth 2.0 user access token (scopes tweet.write, "
            "tweet.read, users.read) of the account an x: channel publishes as (per account as "
            "for DAMAI_MASTODON_PUBLISH_TOKEN).", secret=True),
    Setting("telegram_api_url", "https://api.telegram.org", "Bot API base URL for publishing "
            "to Telegram channels."),
    Setting("telegram_bot_token", "", "Token of the bot (from @BotFather) that posts to a "
            "telegram: channel; the bot must be an admin of the channel (per channel as for "
            "DAMAI_MASTODON_PUBLISH_TOKEN).", secret=True),
    Setting("drafter_url", "", "Base URL of an OpenAI-compatible model server (Ollama, vLLM, "
            "llama.cpp) for drafting responses, e.g. http://127.0.0.1:11434; empty: the offline "
            "template drafter only."),
    Setting("drafter_model", "", "Model name the drafting server is asked for (with "
            "DAMAI_DRAFTER_URL)."),
    Setting("drafter_timeout", "20", "Seconds to wait for the drafting server before giving "
            "up (the template drafter still works)."),
    # campaigns and the scheduler (issue #12 part 4)
    Setting("scheduler", "true", "Run the campaign scheduler inside `damai serve` (a "
            "background thread); false: run `damai worker` instead (or as well: slots are "
            "claimed, never sent twice)."),
    Setting("scheduler_interval", "5", "Seconds between two looks of the scheduler at due "
            "slots."),
    Setting("scheduler_grace_minutes", "10", "A slot whose time passed longer ago than this "
            "(downtime, a clock jump) is not sent: it becomes `missed` and waits for a human "
            "(`damai campaigns confirm-missed`)."),
    Setting("scheduler_lease_seconds", "120", "Seconds after which a slot a worker claimed "
            "but did not finish (the worker died) is claimed again; the publication's "
            "idempotency key makes the retry a no-op if it went out."),
    Setting("scheduler_missed_spacing_minutes", "10", "Minutes between two missed slots a "
            "human re-schedules: they go out one at a time, never in a burst."),
    Setting("scheduler_max_per_tick", "50", "Most slots one look of the scheduler sends."),
    # engagement collection and measurement (issue #12 parts 6 and 7)
    Setting("engagement_interval_minutes", "60", "Minutes between two collections of likes, "
            "reposts, replies and views of published and credited posts by the scheduler "
            "(`damai serve`, `damai worker`); 0 turns scheduled collection off (`damai "
            "engagement collect` still works)."),
    Setting("engagement_max_age_days", "14", "Posts published or credited longer ago than this "
            "are no longer collected, so each collection stays bounded; their last counts stay."),
    Setting("engagement_channels", "", "Channels (PLATFORM:ACCOUNT, comma-separated) whose "
            "credentials read the counts of ambassadors' credited posts; empty: the channels "
            "Damai published to."),
    Setting("measure_min_views", "1000", "Views each A/B variant needs before Damai names a "
            "winner (with p < 0.05 in a two-proportion z-test); below it the answer is 'not "
            "enough data yet'."),

    # approver notifications (issue #12; damai.notify): off unless these are set
    Setting("public_url", "", "Base URL of the dashboard as approvers open it (e.g. "
            "https://damai.example.id), for the links in notifications; empty: the links are "
            "paths."),
    Setting("notify_emails", "", "Comma-separated e-mail addresses of the approvers to notify "
            "when something waits for them (with DAMAI_SMTP_HOST); empty: no e-mail."),
    Setting("smtp_host", "", "SMTP server for notification e-mails; empty: no e-mail."),
    Setting("smtp_port", "587", "Port of the SMTP server (STARTTLS is used whenever the server "
            "offers it)."),
    Setting("smtp_user", "", "User to log in to the SMTP server as; empty: no login."),
    Setting("smtp_password", "", "Password of DAMAI_SMTP_USER.", secret=True),
    Setting("smtp_from", "damai@localhost", "Sender address of notification e-mails."),
    Setting("notify_telegram_chat", "", "Telegram chat id (or @channel) of the approvers, "
            "told by a bot when something waits for them; empty: no Telegram notices."),
    Setting("notify_telegram_token", "", "Token of the bot that sends the notices; empty: "
            "the publishing bot's DAMAI_TELEGRAM_BOT_TOKEN.", secret=True),
    Setting("notify_timeout", "10", "Seconds a notice may take per way (e-mail, Telegram); "
            "notices are sent in the background and a failure is logged, never raised."),

    # hazard events (issue #13)
    Setting("bmkg_feeds", "https://data.bmkg.go.id/DataMKG/TEWS/autogempa.json,"
            "https://data.bmkg.go.id/DataMKG/TEWS/gempaterkini.json,"
            "https://data.bmkg.go.id/DataMKG/TEWS/gempadirasakan.json",
            "BMKG earthquake feeds `damai bmkg poll` reads when no --url is given "
            "(comma-separated; JSON or XML)."),
    Setting("bmkg_interval", "60", "Seconds between two polls of the BMKG feeds."),
    Setting("bmkg_timeout", "20", "Seconds to wait for a BMKG feed's answer."),
    Setting("bmkg_down_minutes", "15", "A feed that has failed for this many minutes (no answer, "
            "5xx, a body that is no feed) is shown as down on the events page, in `damai alerts "
            "list` and in GET /api/v1/events."),
    Setting("bmkg_serve", "false", "Poll the BMKG feeds (DAMAI_BMKG_FEEDS) every "
            "DAMAI_BMKG_INTERVAL seconds inside `damai serve`, drafting an alert for every new "
            "event. Off by default: the demo never reaches the internet."),
    Setting("cap_sender", "damai@localhost", "The CAP <sender> of the alerts `damai alerts cap` "
            "writes (no spaces, commas or '<&')."),

    # the post-disaster hoax watch (issue #13 part 7; docs/hoaxwatch.md)
    Setting("hoaxwatch_days", "7", "Days after an event during which posts from its affected "
            "regions that match a known false claim or a hoax pattern enter its hoax-watch "
            "queue (/hoaxwatch, GET /api/v1/hoaxwatch, `damai alerts hoaxwatch`); the queue "
            "lists the events of the last this many days."),
    Setting("hoaxwatch_max_posts", "5000", "Most posts of an event's window the hoax watch "
            "reads (the newest first); a window with more is reported as cut."),
    # triage as a work queue (issue #14 part 1; docs/triage.md)
    Setting("triage_weights", "radicalism=3,hate_speech=2.5,sara=2.5,hoax=2,abusive=1.5,"
            "disaster=2,counter_speech=1", "Weight of each label in the triage priority "
            "(weight × severity × reach): label=number pairs, comma separated, 0 < number "
            "≤ 1000; a label not named weighs 1. A malformed value or an unknown label is "
            "refused. Changing it works every queued priority out again."),
    # narratives and coordination signals (issue #14 part 2; docs/narratives.md)
    Setting("narratives_on_ingest", "false", "Group each ingested batch into narratives "
            "(copies, reposts, paraphrases) inside ingest, at about a third of its speed; false "
            "(the default) leaves it to the scheduler of `damai serve` or `damai worker`, which "
            "groups new posts every minute, and to `damai narratives build`."),
    Setting("narratives_threshold", "0.5", "Estimated Jaccard similarity (MinHash of the "
            "character 4-grams inside words) at or above which a post is a copy of a "
            "narrative's representative."),
    Setting("narratives_paraphrase", "0.9", "Cosine similarity of sentence embeddings at or "
            "above which a flagged post that copies nothing joins a flagged narrative sharing "
            "one of its harmful labels; 0 turns paraphrase grouping off."),
    Setting("narratives_burst_accounts", "5", "Coordination signal 1: this many distinct "
            "accounts posting copies of one narrative ..."),
    Setting("narratives_burst_minutes", "10", "... within this many minutes."),
    Setting("narratives_corepost_min", "3", "Coordination signal 2: an account reposted another "
            "at least this many times ..."),
    Setting("narratives_corepost_share", "0.8", "... and those reposts are at least this share "
            "of all its reposts."),
    # reports and the web export (issue #14 part 6; docs/reports.md)
    Setting("report_small_count", "5", "The transparency report shows a count below this as "
            "'< N' (N this value), so a small number cannot point at a person; 0 or 1 shows "
            "every count."),
    Setting("export_max_rows", "50000", "Most posts one export from the dashboard's /posts "
            "page writes (CSV or JSONL); the audit entry of the export says when it was cut."),
    # watchlists and their spike alerts (issue #14 part 5; docs/watchlists.md)
    Setting("watch_window_minutes", "60", "A watchlist's window: the posts it matched in the "
            "last this many minutes are compared with its baseline."),
    Setting("watch_baseline_windows", "24", "The baseline: the mean count of this many windows "
            "just before the last one."),
    Setting("watch_min_count", "5", "A spike needs at least this many posts in the window, "
            "however quiet the baseline."),
    Setting("watch_alpha", "0.001", "A spike: the chance of at least that many posts under a "
            "Poisson law with the baseline's mean is below this."),
    Setting("watch_retry_minutes", "1", "Wait before a notification's e-mail or Telegram "
            "message that failed is tried again; doubled after each failure, at most 60 "
            "minutes. It stays pending, never dropped."),
)

_BY_NAME: Final[dict[str, Setting]] = {s.name: s for s in SETTINGS}


def _setting(name: str) -> Setting:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ConfigError(f"unknown setting {name!r}; see docs/settings.md") from None


def get(name: str) -> str:
    """Return a non-secret setting from the environment, or its default."""
    setting = _setting(name)
    if setting.secret:
        raise ConfigError(f"{name} is a secret; read it with get_secret()")
    return os.environ.get(setting.env, setting.default)


def default(name: str) -> str:
    """A setting's built-in default, whatever the environment says."""
    return _setting(name).default


def get_int(name: str) -> int:
    value = get(name)
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"DAMAI_{name.upper()} must be a whole number, not {value!r}") from None


def get_float(name: str) -> float:
    value = get(name)
    try:
        return float(value)
    except ValueError:
        raise ConfigError(f"DAMAI_{name.upper()} must be a number, not {value!r}") from None


def get_bool(name: str) -> bool:
    return get(name).strip().lower() in {"1", "true", "yes", "ya", "on"}


def _secrets_file_values() -> dict[str, str]:
    path = get("secrets_file")
    if not path:
        return {}
    values: dict[str, str] = {}
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read secrets file {path}: {exc.strerror}") from None
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip().lower().removeprefix("damai_")] = value.strip()
    return values


def get_secret(name: str, *, account: str | None = None) -> str:
    """Return a secret from the environment, else from the secrets file, else ''.

    With ``account``, the account's own value wins: ``DAMAI_NAME__ACCOUNT`` (the account in
    capitals, every other character as ``_``) or ``name__account`` in the secrets file.
    """
    setting = _setting(name)
    if not setting.secret:
        raise ConfigError(f"{name} is not a secret setting")
    names = [(f"{setting.env}__{_slug(account)}", f"{name}__{_slug(account).lower()}")] \
        if account else []
    for env, key in [*names, (setting.env, name)]:
        if env in os.environ:
            return os.environ[env]
        value = _secrets_file_values().get(key)
        if value is not None:
            return value
    return ""


def _slug(account: str) -> str:
    return "".join(c if c.isascii() and c.isalnum() else "_" for c in account).upper()


def data_dir() -> Path:
    configured = get("data_dir")
    path = Path(configured) if configured else Path(platformdirs.user_data_dir("damai"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_url() -> str:
    return get("db") or f"sqlite:///{data_dir() / 'damai.sqlite3'}"


def render_docs() -> str:
    """Render docs/settings.md from SETTINGS."""
    lines = [
        "# Pengaturan / Settings",
        "",
        "Dibuat dari `damai.settings.SETTINGS`; jangan diedit manual (generated — do not edit by",
        "hand; run `damai settings --markdown > docs/settings.md`).",
        "",
        "| variabel / variable | bawaan / default | rahasia / secret | keterangan / help |",
        "|---|---|---|---|",
    ]
    for s in SETTINGS:
        default = f"`{s.default}`" if s.default else "(kosong / empty)"
        lines.append(f"| `{s.env}` | {default} | {'ya' if s.secret else 'tidak'} | {s.help} |")
    return "\n".join(lines) + "\n"
