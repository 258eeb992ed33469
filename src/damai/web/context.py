"""What every web route needs, built once per app: the post store, the account store and the model.

Pages (``damai.web.pages``) and the HTTP API (``damai.web.api``) both take a ``WebContext``; neither
opens a database by itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from damai.auth import AuthStore, open_auth_store
from damai.storage import Store, open_store

__all__ = ["WebContext"]


@dataclass
class WebContext:
    store: Store
    auth: AuthStore
    db_url: str | None = None
    model_dir: Path | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @classmethod
    def open(cls, db: str | None, *, model_dir: Path | None = None) -> WebContext:
        return cls(store=open_store(db), auth=open_auth_store(db), db_url=db, model_dir=model_dir)

    def close(self) -> None:
        self.store.close()
        self.auth.close()
