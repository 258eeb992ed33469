"""Every table of the store, declared once (SQLAlchemy Core).

A fresh store is created from this declaration (``metadata.create_all``) and stamped with the
newest Alembic revision; an existing store is brought here by the revisions in
:mod:`damai.storage.migrations`. ``tests/integration/test_migrations.py`` checks that both roads
end in the same tables, columns and indexes. Adding a table is a one-place change: declare it here
and add a revision that calls ``helpers.create_tables("name")``, which creates it from this
declaration.

Dialect-specific objects exist only where the databases truly differ, each as one small function
per dialect below: full-text search (an FTS5 table on SQLite, a generated ``tsvector`` column on
PostgreSQL) and the database-enforced append-only audit log (triggers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.engine import Connection

from damai.respond.entries import STATUSES as LIBRARY_STATUSES
from damai.roles import ROLES
from damai.storage.types import Json, RawJson, SafeText, UtcTime

__all__ = ["ALERT_MSG_TYPES", "CLAIM_VERDICTS", "DELIVERY_STATE_CHECK", "DIALECT_DDL",
           "LIBRARY_STATUSES", "MODEL_KINDS", "MODEL_STATUSES", "PUBLICATION_STATES",
           "PUBLICATION_STATE_CHECK", "RESPONSE_STATES", "TRIAGE_STATUSES", "USAGE_KINDS",
           "metadata", "tables"]

metadata = MetaData()

#: triage states of a flagged post; ``open`` is the default of a post with no triage row
TRIAGE_STATUSES: tuple[str, ...] = ("open", "reviewed", "dismissed")
#: where a registered model came from: shipped with Damai, ``damai train``, or adapted
MODEL_KINDS: tuple[str, ...] = ("bundled", "trained", "adapted")
#: a registered model's state; at most one is ``in_service`` at a time
MODEL_STATUSES: tuple[str, ...] = ("candidate", "in_service", "retired", "broken")
#: what used a library entry: a response to a post, a publication, or a campaign message
USAGE_KINDS: tuple[str, ...] = ("response", "publication", "campaign")
#: a fact-check claim's verdict (the same as :data:`damai.respond.claims.VERDICTS`; a test keeps
#: the two equal)
CLAIM_VERDICTS: tuple[str, ...] = ("false", "misleading", "true", "unproven")
#: a response's review state (issue #11): ``draft → in_review → approved | rejected``
RESPONSE_STATES: tuple[str, ...] = ("draft", "in_review", "approved", "rejected")
#: a publication's state (issue #12): the dry-run channel writes ``sent`` at once; a real channel
#: records ``pending`` (with its idempotency key) before the platform call, then ``sent`` (with
#: the platform's post id and link), ``failed`` (with the platform's reason) or ``uncertain``
#: (the platform cannot tell whether a lost answer was a post: for a human). ``queued``: recorded
#: and waiting for its turn (the account's rate limit, a 429's wait, a paused channel); no call
#: to the platform is in flight for it. A ``sent`` one may later be ``retracted`` (deleted on the
#: platform by an approver)
PUBLICATION_STATES: tuple[str, ...] = ("pending", "sent", "failed", "uncertain", "queued",
                                       "retracted")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


_ROLE_CHECK = _in("role", ROLES)
#: the publications' state check (revisions 0009 and 0012 swap it in on PostgreSQL)
PUBLICATION_STATE_CHECK = _in("state", PUBLICATION_STATES)
_STATUS_CHECK = _in("status", TRIAGE_STATUSES)


def _id() -> Column[int]:
    """A surrogate key: ``INTEGER PRIMARY KEY`` (the rowid) on SQLite, an identity on PostgreSQL
    (``BY DEFAULT``, so ``damai restore`` and ``copy-store`` can keep every id)."""
    return Column("id", BigInteger().with_variant(Integer(), "sqlite"), Identity(),
                  primary_key=True)


def _ref(table: str, **kwargs: Any) -> Column[int]:
    return Column(f"{table.rstrip('s')}_id", BigInteger().with_variant(Integer(), "sqlite"),
                  ForeignKey(f"{table}.id", ondelete="CASCADE"), nullable=False, **kwargs)


def _t(name: str, *, null: bool = True) -> Column[str]:
    return Column(name, SafeText(), nullable=null)


# -- posts and what is derived from them ----------------------------------------------------------
posts = Table(
    "posts", metadata, _id(),
    _t("platform", null=False), _t("platform_id", null=False), _t("url"), _t("author_key"),
    _t("author_handle"), Column("created_at", UtcTime(), nullable=False),
    _t("text", null=False), _t("language"), _t("reply_to_id"), _t("quote_of_id"),
    _t("repost_of_id"), _t("conversation_id"), Column("hashtags", Json()),
    Column("mentions", Json()), Column("links", Json()),
    Column("media_count", BigInteger().with_variant(Integer(), "sqlite"), nullable=False,
           server_default=text("0")),
    Column("geo", Json()), Column("engagement", Json()), Column("fetched_at", UtcTime()),
    _t("ingest_batch"), Column("raw", RawJson()), Column("ingested_at", UtcTime(), nullable=False),
    Column("labels", Json()), Column("flags", Json()), _t("model_version"),
    Column("truncated", Boolean(), nullable=False, server_default=text("false")),
    UniqueConstraint("platform", "platform_id", name="posts_platform_platform_id_key"),
)
Index("posts_created_at", posts.c.created_at)
Index("posts_language", posts.c.language)
Index("posts_ingested_at", posts.c.ingested_at, sqlite_where=posts.c.raw.isnot(None),
      postgresql_where=posts.c.raw.isnot(None))
Index("posts_flagged", posts.c.created_at, sqlite_where=posts.c.flags.isnot(None),
      postgresql_where=posts.c.flags.isnot(None))
Index("posts_geo", posts.c.created_at, sqlite_where=posts.c.geo.isnot(None),
      postgresql_where=posts.c.geo.isnot(None))
# newest-first pages filtered by language or platform read these in order
Index("posts_language_time", posts.c.language, posts.c.created_at)
Index("posts_platform_time", posts.c.platform, posts.c.created_at)
Index("posts_author_key", posts.c.author_key)
#: reposts by author (a narrative's repost-ring signal, issue #14; migration 0025)
Index("posts_reposts_by", posts.c.author_key, posts.c.platform, posts.c.repost_of_id,
      sqlite_where=posts.c.repost_of_id.isnot(None),
      postgresql_where=posts.c.repost_of_id.isnot(None))

#: one row per flagged label of a post (score at or above the model's threshold). All scores,
#: flagged or not, stay in ``posts.labels``; see docs/architecture.md for why (measured).
post_flags = Table(
    "post_flags", metadata, _ref("posts"), _t("label", null=False),
    Column("score", Float(), nullable=False), Column("created_at", UtcTime(), nullable=False),
    PrimaryKeyConstraint("post_id", "label", name="post_flags_pkey"),
    # a page of one label's posts, newest first, is read from this index alone
    Index("post_flags_time", "label", "created_at", "score"),
    sqlite_with_rowid=False,
)

#: posts the platform deleted, or erased on request: never stored again by a later ingest
post_tombstones = Table(
    "post_tombstones", metadata, Column("platform", SafeText(), primary_key=True),
    Column("platform_id", SafeText(), primary_key=True), _t("reason", null=False),
    Column("deleted_at", UtcTime(), nullable=False),
)

post_daily = Table(
    "post_daily", metadata, _t("day", null=False), _t("platform", null=False),
    _t("language", null=False), Column("n", BigInteger(), nullable=False),
    PrimaryKeyConstraint("day", "platform", "language",
                                                  name="post_daily_pkey"),
    sqlite_with_rowid=False,
)
flag_daily = Table(
    "flag_daily", metadata, _t("label", null=False), _t("day", null=False),
    Column("n", BigInteger(), nullable=False),
    PrimaryKeyConstraint("label", "day", name="flag_daily_pkey"),
    sqlite_with_rowid=False,
)

# -- what ingest keeps besides posts --------------------------------------------------------------
quarantine = Table(
    "quarantine", metadata, _id(), _t("fingerprint", null=False), _t("path", null=False),
    _t("location", null=False), _t("format"), _t("reason", null=False),
    _t("message", null=False), Column("raw", LargeBinary(), nullable=False),
    Column("created_at", UtcTime(), nullable=False),
    Column("retries", Integer(), nullable=False, server_default=text("0")),
    Column("resolved", Boolean(), nullable=False, server_default=text("false")),
    UniqueConstraint("fingerprint", name="quarantine_fingerprint_key"),
)
source_notices = Table(
    "source_notices", metadata, _id(), _t("ingest_batch", null=False), _t("kind", null=False),
    Column("detail", Json(), nullable=False), Column("created_at", UtcTime(), nullable=False),
)
cursors = Table(
    "cursors", metadata, Column("name", SafeText(), primary_key=True),
    _t("value", null=False), Column("updated_at", UtcTime(), nullable=False),
)
accounts = Table(
    "accounts", metadata, Column("platform", SafeText(), primary_key=True),
    Column("handle", SafeText(), primary_key=True), _t("role", null=False),
    Column("added_at", UtcTime(), nullable=False),
)

# -- triage and corrections -----------------------------------------------------------------------
triage = Table(
    "triage", metadata,
    Column("post_id", BigInteger().with_variant(Integer(), "sqlite"),
           ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    _t("status", null=False), _t("assignee"), _t("updated_by", null=False),
    Column("updated_at", UtcTime(), nullable=False),
    CheckConstraint(_STATUS_CHECK, name="triage_status_check"),
)
#: a human label: 1, 0, or NULL for "unknown" (the person could not tell), with who and when
corrections = Table(
    "corrections", metadata, _id(), _ref("posts"), _t("label", null=False),
    Column("value", SmallInteger(), nullable=True), _t("user_name", null=False),
    Column("at", UtcTime(), nullable=False),
    CheckConstraint("value IN (0, 1)", name="corrections_value_check"),
    Index("corrections_post", "post_id", "id"),
)

# -- accounts of the dashboard, and the audit log -------------------------------------------------
users = Table(
    "users", metadata, _id(), _t("name", null=False), _t("role", null=False),
    _t("password_hash", null=False), Column("created_at", UtcTime(), nullable=False),
    Column("disabled", Boolean(), nullable=False, server_default=text("false")),
    # issue #14: a reset (one-time) or demo password must be changed at the next login; TOTP
    # two-factor login (the secret is set when begun, ``totp_enabled`` once a code confirmed it;
    # ``totp_last_step`` refuses a code used before)
    Column("must_change_password", Boolean(), nullable=False, server_default=text("false")),
    Column("password_changed_at", UtcTime()), _t("totp_secret"),
    Column("totp_enabled", Boolean(), nullable=False, server_default=text("false")),
    Column("totp_last_step", BigInteger()),
    UniqueConstraint("name", name="users_name_key"),
    CheckConstraint(_ROLE_CHECK, name="users_role_check"),
)
api_tokens = Table(
    "api_tokens", metadata, _id(), _t("token_hash", null=False), _t("name", null=False),
    Column("user_id", BigInteger().with_variant(Integer(), "sqlite"), ForeignKey("users.id"),
           nullable=False),
    Column("created_at", UtcTime(), nullable=False), Column("last_used_at", UtcTime()),
    Column("revoked", Boolean(), nullable=False, server_default=text("false")),
    UniqueConstraint("token_hash", name="api_tokens_token_hash_key"),
    Index("api_tokens_user", "user_id"),
)
sessions = Table(
    "sessions", metadata, Column("id_hash", SafeText(), primary_key=True),
    Column("user_id", BigInteger().with_variant(Integer(), "sqlite"), ForeignKey("users.id"),
           nullable=False),
    _t("csrf", null=False), Column("created_at", UtcTime(), nullable=False),
    Column("expires_at", UtcTime(), nullable=False), _t("ip"),
    Index("sessions_user", "user_id"), Index("sessions_expires", "expires_at"),
)
#: append-only: the database refuses UPDATE and DELETE (see ``_audit_sqlite``/``_audit_postgresql``)
audit_log = Table(
    "audit_log", metadata, _id(), Column("at", UtcTime(), nullable=False),
    _t("actor", null=False), _t("action", null=False), _t("target"),
    Column("detail", Json(), nullable=False, server_default=text("'{}'")), _t("ip"),
    Index("audit_log_at", "at"), Index("audit_log_actor", "actor", "id"),
    Index("audit_log_action", "action", "id"),
    sqlite_autoincrement=True,  # ids are never reused, even after the newest row
)

# -- background work ------------------------------------------------------------------------------
#: an accepted upload (``POST /api/v1/ingest`` over the synchronous limit) and its progress; the
#: body waits in ``path`` until the job is done, so a restart resumes it or fails it, file kept
jobs = Table(
    "jobs", metadata, _id(), _t("kind", null=False), _t("state", null=False),
    _t("actor", null=False), _t("ip"), _t("path", null=False), _t("batch"),
    Column("detail", Json(), nullable=False, server_default=text("'{}'")),
    *(Column(n, BigInteger(), nullable=False, server_default=text("0"))
      for n in ("received", "stored", "duplicates", "quarantined")),
    _t("error"), Column("created_at", UtcTime(), nullable=False),
    Column("updated_at", UtcTime(), nullable=False),
    Column("done", BigInteger(), nullable=False, server_default=text("0")),
    Column("total", BigInteger()),
    CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="jobs_state_check"),
    Index("jobs_state", "state", "id"),
)

# -- models: every version, and which one is in service (issue #9) ---------------------------------
#: a registered model. An adapted or trained model's folder is kept in ``archive`` (a tar, with
#: its SHA-256), so every process on every host loads the same files; the bundled model is kept
#: by reference (``archive`` NULL). ``data`` names what it learnt from with counts, never text.
models = Table(
    "models", metadata, _id(), _t("version", null=False), _t("parent"), _t("kind", null=False),
    _t("status", null=False), Column("labels", Json(), nullable=False),
    Column("data", Json(), nullable=False), Column("metrics", Json(), nullable=False),
    _t("created_by", null=False), Column("created_at", UtcTime(), nullable=False),
    _t("promoted_by"), Column("promoted_at", UtcTime()), _t("error"),
    _t("sha256"), Column("size", BigInteger()), Column("archive", LargeBinary()),
    UniqueConstraint("version", name="models_version_key"),
    CheckConstraint(_in("kind", MODEL_KINDS), name="models_kind_check"),
    CheckConstraint(_in("status", MODEL_STATUSES), name="models_status_check"),
    # the database itself keeps a second model from entering service
    Index("models_one_in_service", "status", unique=True,
          sqlite_where=text("status = 'in_service'"),
          postgresql_where=text("status = 'in_service'")),
)

# -- the counter-narrative library: every version of every entry, and its use (issue #11) --------
#: one row per version of an entry; a change is a new row, never an update of the text. The
#: newest version is the entry as it stands (``is_current``), and at most one row of an entry is
#: current, which the database itself keeps (partial unique index). Library-sized: themes and
#: labels stay JSON lists, filtered in Python.
library_entries = Table(
    "library_entries", metadata, _id(), _t("entry_id", null=False),
    Column("version", Integer(), nullable=False), _t("title", null=False),
    _t("text_id", null=False), _t("text_en"), _t("short_280", null=False),
    _t("short_500", null=False), Column("themes", Json(), nullable=False),
    Column("labels", Json(), nullable=False), _t("tone", null=False), _t("source"),
    _t("author", null=False), _t("status", null=False),
    Column("is_current", Boolean(), nullable=False, server_default=text("false")),
    _t("created_by", null=False), Column("created_at", UtcTime(), nullable=False),
    UniqueConstraint("entry_id", "version", name="library_entries_entry_version_key"),
    CheckConstraint(_in("status", LIBRARY_STATUSES), name="library_entries_status_check"),
    Index("library_entries_current", "entry_id", unique=True,
          sqlite_where=text("is_current"), postgresql_where=text("is_current")),
)
#: each use of an entry: which version, when, by whom, and what used it (``kind`` and ``ref``,
#: e.g. a response's id); recommendation reads it to rank recently used entries lower
library_usage = Table(
    "library_usage", metadata, _id(), _t("entry_id", null=False),
    Column("version", Integer(), nullable=False), Column("used_at", UtcTime(), nullable=False),
    _t("kind", null=False), _t("ref"), _t("user_name", null=False),
    ForeignKeyConstraint(["entry_id", "version"],
                         ["library_entries.entry_id", "library_entries.version"],
                         name="library_usage_entry_fkey"),
    CheckConstraint(_in("kind", USAGE_KINDS), name="library_usage_kind_check"),
    Index("library_usage_entry", "entry_id", "used_at"),
    Index("library_usage_time", "used_at"),
)

# -- fact-check claims and the posts that repeat them (issue #11) ---------------------------------
#: a checked claim; verdicts are those of :data:`damai.respond.claims.VERDICTS`
claims = Table(
    "claims", metadata, Column("claim_id", SafeText(), primary_key=True),
    _t("claim", null=False), _t("verdict", null=False), _t("explanation", null=False),
    _t("source_url", null=False), Column("date", Date(), nullable=False),
    Column("imported_at", UtcTime(), nullable=False),
    CheckConstraint(_in("verdict", CLAIM_VERDICTS), name="claims_verdict_check"),
)
#: the claim a post repeats, with the verdict and the suggested response (the explanation) as
#: they were at the match, so a later edit of the claim does not rewrite what was shown
post_claims = Table(
    "post_claims", metadata,
    Column("post_id", BigInteger().with_variant(Integer(), "sqlite"),
           ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    _t("claim_id", null=False), Column("score", Float(), nullable=False),
    _t("verdict", null=False), _t("suggestion", null=False),
    Column("matched_at", UtcTime(), nullable=False),
    Index("post_claims_claim", "claim_id"),
)

# -- responses, their review, and what was published (issue #11) --------------------------------
#: a proposed answer: to a post, a narrative or an event (``post_id``, ``narrative_id``,
#: ``event_id``, all optional), or a campaign message on its own. ``version`` counts the text's
#: versions (an edit is the next one); ``approved_version`` is the version an approver approved.
#: The database itself refuses an approved row with no approver, with a harm block, or whose text
#: changed since approval, so a forged ``UPDATE`` of the state alone cannot make a response
#: publishable (see :mod:`damai.pipeline.publishing` for the rest of the boundary).
responses = Table(
    "responses", metadata, _id(),
    Column("post_id", BigInteger().with_variant(Integer(), "sqlite"),
           ForeignKey("posts.id", ondelete="SET NULL")),
    _t("narrative_id"), _t("event_id"), _t("entry_id"), Column("entry_version", Integer()),
    _t("text", null=False), Column("version", Integer(), nullable=False,
                                   server_default=text("1")),
    _t("state", null=False),
    Column("machine_draft", Boolean(), nullable=False, server_default=text("false")),
    _t("drafter"), _t("proposed_by", null=False), Column("proposed_at", UtcTime(), nullable=False),
    _t("decided_by"), Column("decided_at", UtcTime()), _t("reason"),
    Column("approved_version", Integer()), Column("updated_at", UtcTime(), nullable=False),
    _t("blocked_reason"), Column("check_scores", Json()), _t("check_model"),
    CheckConstraint(_in("state", RESPONSE_STATES), name="responses_state_check"),
    CheckConstraint("state NOT IN ('approved', 'rejected') OR (decided_by IS NOT NULL AND "
                    "decided_at IS NOT NULL)", name="responses_decided_check"),
    CheckConstraint("state <> 'approved' OR (blocked_reason IS NULL AND approved_version = "
                    "version)", name="responses_approved_check"),
    Index("responses_state", "state", "id"), Index("responses_post", "post_id"),
)
#: each publication of an approved response, or of an approved library entry version, to a
#: channel. ``idempotency_key`` (what, which version of its text, which channel) is unique, so
#: the same text goes to the same channel once. The dry-run channel's rows are the outbox.
publications = Table(
    "publications", metadata, _id(),
    Column("response_id", BigInteger().with_variant(Integer(), "sqlite"),
           ForeignKey("responses.id")),
    _t("entry_id"), Column("entry_version", Integer()), _t("channel", null=False),
    _t("idempotency_key", null=False), _t("state", null=False),
    _t("created_by", null=False), Column("created_at", UtcTime(), nullable=False),
    Column("payload", Json(), nullable=False),
    # issue #12: what the platform answered, and how many calls it took
    _t("post_id"), _t("post_url"), _t("reason"),
    Column("attempts", Integer(), nullable=False, server_default=text("0")),
    Column("updated_at", UtcTime()),
    # the queue (issue #12 part 3): not before this time (a 429's wait, a 5xx's back-off); look
    # the post up before posting (an earlier call may have been accepted); failed calls so far
    # (429s not counted: the platform refused at once)
    Column("not_before", UtcTime()),
    Column("lookup_first", Boolean(), nullable=False, server_default=text("false")),
    Column("failures", Integer(), nullable=False, server_default=text("0")),
    UniqueConstraint("idempotency_key", name="publications_idempotency_key_key"),
    CheckConstraint(PUBLICATION_STATE_CHECK, name="publications_state_check"),
    CheckConstraint("(response_id IS NULL) <> (entry_id IS NULL)",
                    name="publications_subject_check"),
    Index("publications_channel", "channel", "id"), Index("publications_response", "response_id"),
    Index("publications_state", "state", "id"),
)
#: a real channel's state (issue #12 part 3): paused (revoked credentials, a person's choice) with
#: why; its row is also the lock under which a delivery run counts the account's recent calls
publish_channels = Table(
    "publish_channels", metadata, Column("channel", SafeText(), primary_key=True),
    Column("paused", Boolean(), nullable=False, server_default=text("false")), _t("reason"),
    _t("updated_by"), Column("updated_at", UtcTime()),
)
#: every call a delivery run made to a platform to post, by channel and time: the account's rate
#: limit counts these over its window (rows older than the longest window are pruned)
publish_calls = Table(
    "publish_calls", metadata, _id(), _t("channel", null=False),
    Column("at", UtcTime(), nullable=False),
    Column("publication_id", BigInteger().with_variant(Integer(), "sqlite"),
           ForeignKey("publications.id")),
    Index("publish_calls_channel_at", "channel", "at"),
    Index("publish_calls_publication", "publication_id"),
)
#: settings kept in the database because an admin changes them in the dashboard (e.g.
#: ``four_eyes``); each change is audited
app_settings = Table(
    "settings", metadata, Column("key", SafeText(), primary_key=True),
    Column("value", Json(), nullable=False), _t("updated_by", null=False),
    Column("updated_at", UtcTime(), nullable=False),
)

#: every table by name
tables: dict[str, Table] = dict(metadata.tables)


# -- where the dialects differ --------------------------------------------------------------------
def _search_sqlite() -> list[str]:
    """An external-content FTS5 index. Deletes and text updates reach it by trigger; inserts are
    indexed in bulk by the post repository (three times faster than a row trigger)."""
    return [
        "CREATE VIRTUAL TABLE posts_fts USING fts5(text, content='posts', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2')",
        "CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN INSERT INTO "
        "posts_fts(posts_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
        "CREATE TRIGGER posts_fts_update AFTER UPDATE OF text ON posts BEGIN INSERT INTO "
        "posts_fts(posts_fts, rowid, text) VALUES ('delete', old.id, old.text); INSERT INTO "
        "posts_fts(rowid, text) VALUES (new.id, new.text); END",
    ]


def _search_postgresql() -> list[str]:
    """A generated ``tsvector`` with the ``simple`` configuration (no stemming, no stop words, so
    Indonesian and English words match as written) and its GIN index."""
    return [
        "ALTER TABLE posts ADD COLUMN text_search tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED",
        "CREATE INDEX posts_text_search ON posts USING gin (text_search)",
    ]


def _audit_sqlite() -> list[str]:
    return [
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN "
        "SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be updated'); END",
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN "
        "SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be deleted'); END",
    ]


def _audit_postgresql() -> list[str]:
    return [
        "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP "
        "USING ERRCODE = 'insufficient_privilege'; END $$",
        "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
    ]


#: table → dialect → the statements that follow its CREATE TABLE
DIALECT_DDL: dict[str, dict[str, Callable[[], list[str]]]] = {
    "posts": {"sqlite": _search_sqlite, "postgresql": _search_postgresql},
    "audit_log": {"sqlite": _audit_sqlite, "postgresql": _audit_postgresql},
}


def _after_create(target: Table, connection: Connection, **_: Any) -> None:
    for statement in DIALECT_DDL[target.name][connection.dialect.name]():
        connection.execute(text(statement))


for _name in DIALECT_DDL:
    event.listen(tables[_name], "after_create", _after_create)



# == campaigns and their schedule (issue #12 part 4) ==============================================

# Declared after ``tables`` and the dialect section above so this section stays one block that
# the merger of the issue #12 branches can move as a whole; it adds its tables to ``tables``.

#: a campaign's state: ``draft → active → paused | ended`` (``paused → active`` resumes it)
CAMPAIGN_STATES: tuple[str, ...] = ("draft", "active", "paused", "ended")
#: a slot's state. ``scheduled`` waits for its time; ``sending`` is claimed by a worker;
#: ``sent`` has its own publication; ``duplicate`` found the same text already published on that
#: channel (the publication's idempotency key); ``missed`` passed during downtime beyond the
#: grace window and waits for a human; ``skipped`` a human chose not to send; ``failed`` the
#: publishing boundary refused (e.g. the response was edited after approval); ``cancelled`` the
#: campaign ended first
SLOT_STATES: tuple[str, ...] = ("scheduled", "sending", "sent", "duplicate", "missed", "skipped",
                                "failed", "cancelled")

#: a campaign: what it is for, where and when it posts (local posting times in ``timezone``,
#: one of WIB, WITA, WIT), and who activated it (the scheduler publishes in their name)
campaigns = Table(
    "campaigns", metadata, _id(),
    _t("name", null=False), _t("goal"), Column("themes", Json(), nullable=False),
    Column("channels", Json(), nullable=False), _t("timezone", null=False),
    Column("start_date", Date(), nullable=False), Column("end_date", Date(), nullable=False),
    Column("times", Json(), nullable=False), _t("state", null=False),
    _t("created_by", null=False), Column("created_at", UtcTime(), nullable=False),
    _t("activated_by"), Column("updated_at", UtcTime(), nullable=False),
    CheckConstraint(_in("state", CAMPAIGN_STATES), name="campaigns_state_check"),
    CheckConstraint("end_date >= start_date", name="campaigns_dates_check"),
    UniqueConstraint("name", name="campaigns_name_key"),
)
#: a campaign's messages: ``position`` orders them, and variants of one message (A/B) share a
#: position. Each is an approved response or an approved library entry (checked at creation and
#: again, below the scheduler, by the publishing boundary at each send).
campaign_messages = Table(
    "campaign_messages", metadata, _id(), _ref("campaigns"),
    Column("position", Integer(), nullable=False), _t("variant", null=False),
    Column("response_id", BigInteger().with_variant(Integer(), "sqlite"),
           ForeignKey("responses.id")), _t("entry_id"),
    CheckConstraint("(response_id IS NULL) <> (entry_id IS NULL)",
                    name="campaign_messages_subject_check"),
    UniqueConstraint("campaign_id", "position", "variant", name="campaign_messages_key"),
)
#: one row per (campaign, message variant, channel, time): written when the campaign is first
#: activated. ``original_at`` is the planned time and never changes; ``scheduled_at`` moves only
#: when a human re-schedules a missed slot. A worker claims a slot with a conditional UPDATE
#: (``scheduled → sending``) before it calls the publishing boundary, so two workers never send
#: one slot, and the publication's idempotency key makes a retry after a crash a no-op.
campaign_slots = Table(
    "campaign_slots", metadata, _id(), _ref("campaigns"),
    Column("message_id", BigInteger().with_variant(Integer(), "sqlite"),
           ForeignKey("campaign_messages.id", ondelete="CASCADE"), nullable=False),
    _t("channel", null=False), Column("original_at", UtcTime(), nullable=False),
    Column("scheduled_at", UtcTime(), nullable=False), _t("state", null=False),
    _t("claimed_by"), Column("claimed_at", UtcTime()), Column("sent_at", UtcTime()),
    Column("publication_id", BigInteger().with_variant(Integer(), "sqlite"),
           ForeignKey("publications.id")), _t("error"), _t("decided_by"),
    CheckConstraint(_in("state", SLOT_STATES), name="campaign_slots_state_check"),
    UniqueConstraint("campaign_id", "channel", "original_at", name="campaign_slots_key"),
    Index("campaign_slots_due", "state", "scheduled_at"),
    Index("campaign_slots_campaign", "campaign_id", "scheduled_at"),
)
tables.update({t.name: t for t in (campaigns, campaign_messages, campaign_slots)})
# == end of campaigns ==============================================================================
# == the ambassador network, Duta Damai (issue #12 part 5; migration 0011_ambassadors) ============
# Declared after ``tables`` and the dialect hooks above so that this section stays one block the
# campaigns and publishing branches do not touch; ``tables`` is updated at its end.

#: how a credited post was matched to a kit: its tracking tag, its tracking link, or near-duplicate
#: text of one of the kit's messages (MinHash) posted from one of the ambassador's handles
CREDIT_METHODS: tuple[str, ...] = ("tag", "link", "text")

#: a registered ambassador and the consent they gave. Withdrawal (``withdrawn_at``) erases the
#: personal fields (name, regency, languages, topics; the handles' rows) and keeps only the
#: consent record itself: when it was given, its scope, and when it was withdrawn.
ambassadors = Table(
    "ambassadors", metadata, _id(), _t("name"), _t("province"), _t("regency"),
    Column("languages", Json(), nullable=False), Column("topics", Json(), nullable=False),
    Column("consent_at", UtcTime(), nullable=False), _t("consent_scope", null=False),
    Column("withdrawn_at", UtcTime()), _t("created_by", null=False),
    Column("created_at", UtcTime(), nullable=False),
    CheckConstraint("withdrawn_at IS NOT NULL OR (name IS NOT NULL AND province IS NOT NULL)",
                    name="ambassadors_active_check"),
    Index("ambassadors_province", "province", "id"),
)
#: an ambassador's handle on one platform (lower case, no ``@``): one person per handle
ambassador_handles = Table(
    "ambassador_handles", metadata, _ref("ambassadors"), _t("platform", null=False),
    _t("handle", null=False),
    PrimaryKeyConstraint("platform", "handle", name="ambassador_handles_pkey"),
    Index("ambassador_handles_ambassador", "ambassador_id"),
)
#: a content kit: what one ambassador gets for one campaign (``campaign_id`` is free text until
#: campaigns exist). ``content`` holds the message variants, suggested times and hashtags;
#: ``tag`` is the personal tracking tag, ``link`` the tracking link. Only a hash of the personal
#: page's token is kept (``token_hash``); a revoked kit keeps its row, so earlier credits stay.
ambassador_kits = Table(
    "ambassador_kits", metadata, _id(), _ref("ambassadors"), _t("campaign_id"),
    _t("tag", null=False), _t("code", null=False), _t("link"),
    Column("content", Json(), nullable=False), _t("token_hash"),
    Column("expires_at", UtcTime()), Column("revoked_at", UtcTime()),
    _t("created_by", null=False), Column("created_at", UtcTime(), nullable=False),
    UniqueConstraint("code", name="ambassador_kits_code_key"),
    UniqueConstraint("token_hash", name="ambassador_kits_token_hash_key"),
    Index("ambassador_kits_ambassador", "ambassador_id", "id"),
    Index("ambassador_kits_campaign", "campaign_id"),
)
#: a stored post credited to a kit, and how it matched (``score``: the text similarity)
ambassador_credits = Table(
    "ambassador_credits", metadata, _ref("posts"),
    Column("kit_id", BigInteger().with_variant(Integer(), "sqlite"),
           ForeignKey("ambassador_kits.id", ondelete="CASCADE"), nullable=False),
    Column("ambassador_id", BigInteger().with_variant(Integer(), "sqlite"),
           ForeignKey("ambassadors.id", ondelete="CASCADE"), nullable=False),
    _t("method", null=False), Column("score", Float()),
    Column("created_at", UtcTime(), nullable=False),
    PrimaryKeyConstraint("post_id", "kit_id", name="ambassador_credits_pkey"),
    CheckConstraint(_in("method", CREDIT_METHODS), name="ambassador_credits_method_check"),
    Index("ambassador_credits_ambassador", "ambassador_id"),
    Index("ambassador_credits_kit", "kit_id"),
)
AMBASSADOR_TABLES: tuple[str, ...] = ("ambassadors", "ambassador_handles", "ambassador_kits",
                                      "ambassador_credits")
tables.update({name: metadata.tables[name] for name in AMBASSADOR_TABLES})
# == end of the ambassador network =================================================================
# == engagement of published and credited posts (issue #12 part 6; migration 0013_engagement) =====
# One block at the end, like the sections above, so the merge of the issue #12 branches moves it
# whole; ``tables`` is updated at its end.

#: one sample of a post's public counts, per collection (a time series: rows are only added).
#: The post is a publication Damai sent (``publication_id``) or a stored post credited to an
#: ambassador (``post_id``), never both; ``platform_post_id`` is the platform's id the counts were
#: asked for. A count the platform does not give (views on Mastodon and Bluesky) is NULL.
engagement_samples = Table(
    "engagement_samples", metadata, _id(),
    Column("publication_id", BigInteger().with_variant(Integer(), "sqlite"),
           ForeignKey("publications.id", ondelete="CASCADE")),
    Column("post_id", BigInteger().with_variant(Integer(), "sqlite"),
           ForeignKey("posts.id", ondelete="CASCADE")),
    _t("platform", null=False), _t("platform_post_id", null=False),
    Column("collected_at", UtcTime(), nullable=False),
    Column("likes", BigInteger()), Column("reposts", BigInteger()),
    Column("replies", BigInteger()), Column("quotes", BigInteger()),
    Column("views", BigInteger()),
    CheckConstraint("(publication_id IS NULL) <> (post_id IS NULL)",
                    name="engagement_samples_subject_check"),
    Index("engagement_samples_publication", "publication_id", "id"),
    Index("engagement_samples_post", "post_id", "id"),
    Index("engagement_samples_time", "collected_at"),
)
tables["engagement_samples"] = engagement_samples
# == end of engagement =============================================================================
# == hazard events: BMKG earthquakes and CAP alerts (issue #13; migration 0015_events) ============
# One block at the end, like the sections above; ``tables`` is updated at its end.

#: an official hazard event. ``key`` makes the sightings in several feeds one row (the rule is in
#: :mod:`damai.sources.bmkg`); each value is what a feed said, or NULL where none could be read,
#: and ``problems`` lists what could not be read. ``tsunami_potential`` and ``felt`` are BMKG's
#: own words. ``feeds``: the URLs (or files) the event was seen in; ``raw``: the latest record.
events = Table(
    "events", metadata, _id(), _t("source", null=False), _t("key", null=False),
    _t("hazard", null=False), Column("time", UtcTime()), Column("magnitude", Float()),
    Column("depth_km", Float()), Column("lat", Float()), Column("lon", Float()),
    _t("region"), _t("tsunami_potential"), _t("felt"), _t("headline"), _t("shakemap"),
    Column("problems", Json(), nullable=False), Column("feeds", Json(), nullable=False),
    Column("raw", Json()), Column("first_seen_at", UtcTime(), nullable=False),
    Column("updated_at", UtcTime(), nullable=False),
    UniqueConstraint("key", name="events_key_key"),
    Index("events_time", "time", "id"),
)
#: what the poller knows of each feed: its validators for the next conditional request (ETag,
#: Last-Modified), when it last answered, and since when it has been failing (NULL: it is up)
event_feeds = Table(
    "event_feeds", metadata, _t("url", null=False), _t("etag"), _t("last_modified"),
    Column("checked_at", UtcTime()), Column("last_ok_at", UtcTime()),
    Column("failing_since", UtcTime()), _t("last_error"),
    PrimaryKeyConstraint("url", name="event_feeds_pkey"),
)
tables.update({"events": events, "event_feeds": event_feeds})
#: an alert of an event (issue #13 part 5): a CAP ``Alert``, or a follow-up ``Update`` or
#: ``Cancel`` (the all clear) that refers to the event's first alert (``first_alert_id``). Its
#: review is the response row it owns (``response_id``, whose ``event_id`` names the event): the
#: review workflow of #7, with two approvers (``first_approved_by``, then the response's
#: ``decided_by``) unless ``urgent``. ``identifier`` is the CAP ``<identifier>``.
ALERT_MSG_TYPES: tuple[str, ...] = ("Alert", "Update", "Cancel")
alerts = Table(
    "alerts", metadata, _id(), _ref("events"),
    Column("response_id", BigInteger().with_variant(Integer(), "sqlite"),
           ForeignKey("responses.id"), nullable=False),
    _t("msg_type", null=False), _t("identifier", null=False),
    Column("first_alert_id", BigInteger().with_variant(Integer(), "sqlite"),
           ForeignKey("alerts.id")),
    Column("urgent", Boolean(), nullable=False, server_default=text("false")),
    _t("hazard", null=False),
    _t("headline_id", null=False), _t("description_id", null=False),
    _t("instruction_id", null=False), _t("headline_en", null=False),
    _t("description_en", null=False), _t("instruction_en", null=False),
    _t("created_by", null=False), Column("created_at", UtcTime(), nullable=False),
    _t("first_approved_by"), Column("first_approved_at", UtcTime()),
    UniqueConstraint("identifier", name="alerts_identifier_key"),
    UniqueConstraint("response_id", name="alerts_response_key"),
    CheckConstraint(_in("msg_type", ALERT_MSG_TYPES), name="alerts_msg_type_check"),
    Index("alerts_event", "event_id", "id"),
)
tables["alerts"] = alerts
# == end of hazard events ==========================================================================


# == places and event links (issue #13 parts 3 and 4; migration 0016_places) ======================
# One block at the end, like the sections above; ``tables`` is updated at its end.

#: the gazetteer places a post's text names (:mod:`damai.understand.geoparse`), in the order it
#: names them (``ordinal``), with the official names of the province, regency and district each
#: lies in, and its point. Written with the post at ingest; ``damai places backfill`` fills it for
#: posts stored before.
post_places = Table(
    "post_places", metadata, _ref("posts"), Column("ordinal", SmallInteger(), nullable=False),
    _t("level", null=False), _t("name", null=False), _t("province", null=False),
    _t("regency"), _t("district"), Column("lat", Float(), nullable=False),
    Column("lon", Float(), nullable=False),
    PrimaryKeyConstraint("post_id", "ordinal", name="post_places_pkey"),
    CheckConstraint(_in("level", ("province", "regency", "district")),
                    name="post_places_level_check"),
    Index("post_places_province", "province", "post_id"),
    Index("post_places_regency", "regency", "post_id"),
)
#: a citizen's disaster post linked to an event (:mod:`damai.pipeline.linking`): an official one
#: (BMKG, CAP) by time window and distance, or a citizen-reported one (``events.source`` =
#: ``citizen``) formed by a burst. One event per post: the linker keeps the best. ``hazard`` is
#: the post's ``disaster.type.*``; ``info`` its ``disaster.info.*`` kinds; ``place`` the most
#: specific place it names, with its regency, province and point; ``distance_km`` from the
#: event's point (NULL for a citizen event formed by the post's own regency).
event_reports = Table(
    "event_reports", metadata, _ref("events"), _ref("posts"), _t("hazard", null=False),
    Column("info", Json(), nullable=False),
    Column("call_for_help", Boolean(), nullable=False, server_default=text("false")),
    _t("place", null=False), _t("province", null=False), _t("regency"),
    Column("lat", Float(), nullable=False), Column("lon", Float(), nullable=False),
    Column("distance_km", Float()), Column("posted_at", UtcTime(), nullable=False),
    Column("linked_at", UtcTime(), nullable=False),
    PrimaryKeyConstraint("post_id", name="event_reports_pkey"),
    Index("event_reports_event", "event_id", "posted_at"),
)
tables.update({"post_places": post_places, "event_reports": event_reports})
# == end of places and event links =================================================================


# == the post-disaster hoax watch (issue #13 part 7; migration 0018_hoaxwatch) ====================
# One block at the end, like the sections above; ``tables`` is updated at its end.

#: a post an analyst took out of an event's hoax-watch queue (not a hoax, or not about the
#: event), with who, when and why; the audit log holds the same. One row per event and post.
hoaxwatch_dismissals = Table(
    "hoaxwatch_dismissals", metadata,
    Column("event_id", BigInteger().with_variant(Integer(), "sqlite"),
           ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("post_id", BigInteger().with_variant(Integer(), "sqlite"),
           ForeignKey("posts.id", ondelete="CASCADE"), nullable=False),
    _t("dismissed_by", null=False), Column("dismissed_at", UtcTime(), nullable=False),
    _t("reason"),
    PrimaryKeyConstraint("event_id", "post_id", name="hoaxwatch_dismissals_pkey"),
)
tables["hoaxwatch_dismissals"] = hoaxwatch_dismissals
# == end of the hoax watch =========================================================================


# == narratives: copies grouped, and their MinHash index (issue #14 part 2; migration 0019) =======
# One block at the end, like the sections above; ``tables`` is updated at its end.

#: how a post joined its narrative: it started it (``first``), is a near-duplicate copy
#: (``copy``, MinHash), a repost of a member (``repost``), or a paraphrase (``paraphrase``)
NARRATIVE_HOW: tuple[str, ...] = ("first", "copy", "repost", "paraphrase")

#: a group of posts that say the same thing. ``title`` is its first post's text (shortened);
#: ``size``, ``first_seen`` and ``last_seen`` are kept up to date as posts join, so the list is
#: read from this table alone. ``embedding``: its first flagged post's sentence embedding
#: (float32 bytes), for paraphrases; NULL for a narrative with no flagged post.
narratives = Table(
    "narratives", metadata, _id(), _t("title", null=False),
    Column("size", BigInteger(), nullable=False, server_default=text("0")),
    Column("first_seen", UtcTime(), nullable=False), Column("last_seen", UtcTime(), nullable=False),
    Column("created_at", UtcTime(), nullable=False), Column("embedding", LargeBinary()),
    Index("narratives_last_seen", "last_seen", "id"),
    Index("narratives_size", "size", "id"),
)
#: which narrative each grouped post belongs to, and how it joined (``score``: the estimated
#: Jaccard similarity of a copy, the cosine of a paraphrase)
#: The post's time, platform, account key and whether it is a repost are copied here as it joins
#: (migration 0025 copied them for older rows), so a narrative's page counts tens of thousands
#: of posts from the ``narrative_posts_time`` index alone.
narrative_posts = Table(
    "narrative_posts", metadata,
    Column("post_id", BigInteger().with_variant(Integer(), "sqlite"),
           ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    _ref("narratives"), _t("how", null=False), Column("score", Float()),
    Column("created_at", UtcTime()), _t("platform"), _t("author_key"), Column("repost", Boolean()),
    CheckConstraint(_in("how", NARRATIVE_HOW), name="narrative_posts_how_check"),
    Index("narrative_posts_narrative", "narrative_id", "post_id"),
    Index("narrative_posts_time", "narrative_id", "created_at", "post_id", "platform",
          "author_key", "repost", "how"),
)
#: the MinHash signatures the LSH index is rebuilt from after a restart: the first few distinct
#: posts of each narrative (its representatives), 128 unsigned 32-bit values each
narrative_signatures = Table(
    "narrative_signatures", metadata,
    Column("post_id", BigInteger().with_variant(Integer(), "sqlite"),
           ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    _ref("narratives"), Column("signature", LargeBinary(), nullable=False),
)
NARRATIVE_TABLES: tuple[str, ...] = ("narratives", "narrative_posts", "narrative_signatures")
tables.update({name: metadata.tables[name] for name in NARRATIVE_TABLES})
# == end of narratives =============================================================================


# == watchlists, their spike notifications and deliveries (issue #14 part 5; migrations 0022, 0026)
# One block at the end, like the sections above; ``tables`` is updated at its end.

#: a notification's delivery state: ``pending`` until the way (e-mail, Telegram) took it, then
#: ``sent``; an attempt that may work later keeps it ``pending`` with ``next_try_at`` later, and
#: one the way refused for good (migration 0026) makes it ``failed``, with the reason kept
DELIVERY_STATES: tuple[str, ...] = ("pending", "sent", "failed")
DELIVERY_STATE_CHECK = _in("state", DELIVERY_STATES)

#: a saved search: ``query`` as the analyst wrote it (words, ``label:``, ``provinsi:``), and its
#: parsed parts, so the check runs without parsing again. ``labels`` and ``provinces`` are JSON
#: lists (any of them matches); ``words`` all must appear (full-text search).
watchlists = Table(
    "watchlists", metadata, _id(), _t("name", null=False), _t("query", null=False),
    _t("words"), Column("labels", Json(), nullable=False), Column("provinces", Json(),
                                                                  nullable=False),
    _t("created_by", null=False), Column("created_at", UtcTime(), nullable=False),
)
#: a spike one watchlist raised: its window, the count in it, the baseline's mean and the
#: Poisson tail probability; one per watchlist and window end
notifications = Table(
    "notifications", metadata, _id(), _ref("watchlists"),
    Column("window_start", UtcTime(), nullable=False),
    Column("window_end", UtcTime(), nullable=False),
    Column("count", Integer(), nullable=False), Column("baseline", Float(), nullable=False),
    Column("p_value", Float(), nullable=False), Column("created_at", UtcTime(), nullable=False),
    UniqueConstraint("watchlist_id", "window_end", name="notifications_window"),
    Index("notifications_created", "created_at", "id"),
)
#: the posts behind a notification (the window's matches, newest first, up to a bound)
notification_posts = Table(
    "notification_posts", metadata, _ref("notifications"),
    Column("post_id", BigInteger().with_variant(Integer(), "sqlite"),
           ForeignKey("posts.id", ondelete="CASCADE"), nullable=False),
    PrimaryKeyConstraint("notification_id", "post_id", name="notification_posts_pkey"),
)
#: one way a notification goes out (``email``, ``telegram``), retried with backoff until sent
notification_deliveries = Table(
    "notification_deliveries", metadata, _id(), _ref("notifications"), _t("way", null=False),
    _t("state", null=False), Column("attempts", Integer(), nullable=False,
                                    server_default=text("0")),
    Column("next_try_at", UtcTime(), nullable=False), _t("last_error"),
    Column("sent_at", UtcTime()),
    CheckConstraint(DELIVERY_STATE_CHECK, name="notification_deliveries_state_check"),
    Index("notification_deliveries_due", "state", "next_try_at"),
)
#: who read which notification, and when (migration 0026): the header's bell counts the
#: notifications a user has not read
notification_reads = Table(
    "notification_reads", metadata, _ref("notifications"), _ref("users"),
    Column("read_at", UtcTime(), nullable=False),
    PrimaryKeyConstraint("notification_id", "user_id", name="notification_reads_pkey"),
    Index("notification_reads_user", "user_id", "notification_id"),
)
WATCHLIST_TABLES: tuple[str, ...] = ("watchlists", "notifications", "notification_posts",
                                     "notification_deliveries", "notification_reads")
tables.update({name: metadata.tables[name] for name in WATCHLIST_TABLES})
# == end of watchlists =============================================================================


# == triage as a work queue (issue #14 part 1; migration 0024_triage_queue) =======================
# One block at the end, like the sections above; ``tables`` is updated at its end.

#: what the triage queue reads: one row per flagged post, with its priority worked out once
#: (weight × severity × reach, :mod:`damai.pipeline.triage_rank`) so a page is a walk of an index,
#: not a scan. ``priority`` NULL marks a row to work out again (a new flag, new scores, new
#: engagement); ``queue`` is ``harm``, ``disaster`` or ``counter_speech``; ``group_key`` the
#: narrative (``n:ID``) or the reposted original (``r:PLATFORM:ID``), so copies are shown once.
#: ``status`` and ``assignee`` mirror the ``triage`` row (``open`` when there is none).
triage_items = Table(
    "triage_items", metadata,
    Column("post_id", BigInteger().with_variant(Integer(), "sqlite"),
           ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    _t("queue"), _t("label"), Column("severity", Float()), Column("reach", Float()),
    Column("priority", Float()), _t("platform"), Column("created_at", UtcTime()),
    _t("group_key"), _t("status", null=False), _t("assignee"),
    Index("triage_items_page", "queue", "status", "priority", "post_id"),
    Index("triage_items_group", "group_key", "priority", "post_id"),
    Index("triage_items_stale", "post_id", sqlite_where=text("priority IS NULL"),
          postgresql_where=text("priority IS NULL")),
)
#: a note an analyst left on a post in triage (at most 2,000 characters)
triage_notes = Table(
    "triage_notes", metadata, _id(), _ref("posts"), _t("author", null=False),
    _t("text", null=False), Column("created_at", UtcTime(), nullable=False),
    Index("triage_notes_post", "post_id", "id"),
)
TRIAGE_QUEUE_TABLES: tuple[str, ...] = ("triage_items", "triage_notes")
tables.update({name: metadata.tables[name] for name in TRIAGE_QUEUE_TABLES})
# == end of triage as a work queue =================================================================


# == hashtags, links and domains of posts (issue #14 part 3; migration 0025_post_terms) ===========
# One block at the end, like the sections above; ``tables`` is updated at its end.

#: one row per hashtag, link and link domain a post holds, as the drill-down filters compare them
#: (:mod:`damai.storage.terms`), so ``/posts?hashtag=`` finds a rare value from an index instead of
#: reading every post's JSON. ``kind`` is ``hashtag``, ``link`` or ``domain``; a value longer than
#: :data:`damai.storage.terms.MOST_BYTES` is not kept here (its filter reads the JSON instead).
post_terms = Table(
    "post_terms", metadata, _ref("posts"), _t("kind", null=False), _t("value", null=False),
    PrimaryKeyConstraint("post_id", "kind", "value", name="post_terms_pkey"),
    CheckConstraint(_in("kind", ("hashtag", "link", "domain")), name="post_terms_kind_check"),
    Index("post_terms_value", "kind", "value", "post_id"),
    sqlite_with_rowid=False,
)
tables["post_terms"] = post_terms
# == end of hashtags, links and domains ============================================================
