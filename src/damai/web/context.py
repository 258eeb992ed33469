"""What every web route needs, built once per app: the store, the account service and the model.

The model is the one in service (:func:`damai.pipeline.registry.serving`: one small indexed read
per call, the model itself loaded once per process), unless the context was opened with a
``model_dir``, which overrides it.

Pages (``damai.web.pages``) and the HTTP API (``damai.web.api``) both take a ``WebContext``; neither
opens a database by itself. The store's engine has a connection pool, so a route may run on the
event loop or in the thread pool: each store call takes its own connection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from damai.auth import AuthStore
from damai.pipeline.jobs import JobRunner
from damai.pipeline.registry import Served, serving
from damai.storage import Store, open_store
from damai.understand.model import TextClassifier

__all__ = ["WebContext"]


@dataclass
class WebContext:
    store: Store
    auth: AuthStore
    db_url: str | None = None
    model_dir: Path | None = None
    extra: dict[str, object] = field(default_factory=dict)
    #: runs ingest jobs while the app is up (started and stopped by the app's lifespan)
    jobs: JobRunner | None = None

    @classmethod
    def open(cls, db: str | None, *, model_dir: Path | None = None) -> WebContext:
        store = open_store(db)
        return cls(store=store, auth=AuthStore(store), db_url=db, model_dir=model_dir)

    def served(self) -> Served:
        """The model to score with, and what went wrong on the way to it."""
        return serving(self.store, self.model_dir)

    def model(self) -> TextClassifier:
        return self.served().model

    def close(self) -> None:
        self.store.close()
