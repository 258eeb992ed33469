"""Storage: one pooled engine per store, a small repository per aggregate.

``open_store(url)`` is the only place that reads a database URL. The :class:`Store` it returns
holds one :class:`~damai.storage.engine.Database` (a SQLAlchemy ``Engine`` with a connection pool)
and the repositories that take their connections from it:

=====================  ===========================================================
``store.posts``       posts: write batches, read, page, count, stats
``store.labels``      scores and flags of stored posts, flag volume
``store.quarantine``  records that could not become posts
``store.triage``      review states and corrections (human labels)
``store.triage_queue`` the triage work queue (priorities, filters, copies once) and notes
``store.accounts``    registered accounts; ``store.cursors``: live-source cursors
``store.users``       dashboard users, API tokens, sessions (hashes only)
``store.audit``       the append-only audit log
``store.lifecycle``   retention, erasure, platform deletions
``store.jobs``        background work (ingest uploads, re-scoring, adaptation), kept across
                      restarts
``store.models``      every registered model version and which one is in service
``store.library``     the counter-narrative library: every version of every entry, and its use
``store.claims``      fact-check claims, and the claim a stored post repeats
``store.responses``   proposed responses and their review (draft, in review, approved, rejected)
``store.publications`` what was published where (the dry-run channel's rows are the outbox); the
                      publishing boundary is enforced here, in the transaction that writes one
``store.queue``       the publishing queue: per-account rate limits, paused channels, the calls
                      made to post (issue #12)
``store.campaigns``  campaigns, their messages and scheduled slots (issue #12); a slot is
                      claimed here before the scheduler publishes it
``store.settings``    settings an admin changes in the dashboard (four-eyes review), audited
``store.ambassadors`` the ambassador network (Duta Damai): ambassadors and their consent, content
                      kits, and the posts credited to them (issue #12)
``store.engagement``  the counts of published and credited posts over time, and what
                      measurement reads from them (issue #12 parts 6 and 7)
``store.events``      hazard events (BMKG earthquakes, CAP alerts) and each feed's health
                      (issue #13)
``store.places``      the places each post names (issue #13)
``store.reports``     citizen disaster posts, and the event each is linked to (issue #13)
``store.alerts``      the alerts of events (Alert, Update, Cancel) and their review (issue #13)
``store.hoaxwatch``   the posts dismissed from an event's hoax-watch queue, and the corrections
                      drafted from it (issue #13 part 7)
``store.narratives``  narratives: grouped copies of posts and their MinHash signatures (issue #14)
``store.tallies``     counts over a period for the weekly and transparency reports (issue #14)
``store.watchlists``  saved searches, their spike notifications and deliveries (issue #14)
=====================  ===========================================================
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from damai import settings
from damai.storage.accounts import AccountRepository, CursorRepository
from damai.storage.alerts import AlertRepository
from damai.storage.ambassadors import AmbassadorRepository
from damai.storage.audit import AuditEntry, AuditRepository
from damai.storage.base import (
    PostCursor,
    PostPage,
    PostQuery,
    QuarantineEntry,
    Stats,
    StoredPost,
    WriteResult,
)
from damai.storage.campaigns import CampaignRepository
from damai.storage.claims import ClaimImport, ClaimRepository, PostClaim
from damai.storage.copy import copy_tables
from damai.storage.engagement import EngagementRepository
from damai.storage.engine import Database, StoreUnavailable, parse_url, safe_url
from damai.storage.events import EventRepository
from damai.storage.hoaxwatch import HoaxwatchRepository
from damai.storage.jobs import Job, JobRepository
from damai.storage.labels import LabelRepository
from damai.storage.library import LibraryRepository
from damai.storage.lifecycle import LifecycleRepository
from damai.storage.migrate import MigrationError, current_revision, migrate, revisions
from damai.storage.models import ModelRepository
from damai.storage.narratives import NarrativeRepository
from damai.storage.places import PlaceRepository
from damai.storage.posts import PostRepository
from damai.storage.publications import PublicationRepository
from damai.storage.quarantine import QuarantineRepository
from damai.storage.queue import QueueRepository
from damai.storage.reports import ReportRepository
from damai.storage.responses import ResponseRepository
from damai.storage.store_settings import SettingsRepository
from damai.storage.tallies import TallyRepository
from damai.storage.triage import TriageRepository
from damai.storage.triage_queue import TriageQueueRepository
from damai.storage.users import UserRepository
from damai.storage.watchlists import WatchlistRepository

__all__ = ["AuditEntry", "ClaimImport", "Job", "MigrationError", "PostClaim", "PostCursor",
           "PostPage", "PostQuery", "QuarantineEntry", "Stats", "Store", "StoreUnavailable",
           "StoredPost", "WriteResult", "backend_of", "current_revision", "open_store",
           "revisions"]


class Store:
    """One database and its repositories (see the module doc)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.url = safe_url(db.url)
        self.backend = backend_of_dialect(db.dialect)
        self.posts = PostRepository(db)
        self.labels = LabelRepository(db)
        self.quarantine = QuarantineRepository(db)
        self.triage = TriageRepository(db)
        self.triage_queue = TriageQueueRepository(db)
        self.accounts = AccountRepository(db)
        self.cursors = CursorRepository(db)
        self.users = UserRepository(db)
        self.audit = AuditRepository(db)
        self.lifecycle = LifecycleRepository(db)
        self.jobs = JobRepository(db)
        self.models = ModelRepository(db)
        self.library = LibraryRepository(db)
        self.claims = ClaimRepository(db)
        self.responses = ResponseRepository(db)
        self.publications = PublicationRepository(db)
        self.queue = QueueRepository(db)
        self.settings = SettingsRepository(db)
        self.campaigns = CampaignRepository(db)

        self.ambassadors = AmbassadorRepository(db)
        self.engagement = EngagementRepository(db)
        self.events = EventRepository(db)
        self.places = PlaceRepository(db)
        self.reports = ReportRepository(db)
        self.alerts = AlertRepository(db)
        self.hoaxwatch = HoaxwatchRepository(db)
        self.narratives = NarrativeRepository(db)
        self.tallies = TallyRepository(db)
        self.watchlists = WatchlistRepository(db)

    def copy_into(self, target: Store,
                  on_table: Callable[[str, int], None] | None = None) -> dict[str, int]:
        """Copy every row of this store into ``target``, which must be empty (see
        :mod:`damai.storage.copy`); return the rows copied per table."""
        with self.db.read() as source, target.db.write() as conn:
            return copy_tables(source, conn, on_table)

    def migrate(self) -> list[str]:
        """Apply pending revisions; return the ones applied now (every one for a new store)."""
        return migrate(self.db)

    def revision(self) -> str | None:
        return current_revision(self.db)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def backend_of_dialect(dialect: str) -> Literal["sqlite", "postgres"]:
    return "sqlite" if dialect == "sqlite" else "postgres"


def backend_of(url: str) -> Literal["sqlite", "postgres"]:
    """Which backend a database URL names; :class:`InputError` for any other URL."""
    return "sqlite" if parse_url(url).drivername == "sqlite" else "postgres"


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    """Open (and by default migrate) the store at ``url``; default: the SQLite file in the data
    directory."""
    store = Store(Database(parse_url(url or settings.default_db_url())))
    if migrate:
        try:
            store.migrate()
        except BaseException:
            store.close()
            raise
    return store

