"""What the sources need kept between runs: the registered accounts (whose handles are stored)
and each live source's cursor."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select

from damai.storage.base import Account, normalise_handle
from damai.storage.engine import Repository
from damai.storage.schema import accounts, cursors

__all__ = ["AccountRepository", "CursorRepository"]


def _now() -> datetime:
    return datetime.now(UTC)


class AccountRepository(Repository):
    def add(self, platform: str, handle: str, role: str) -> None:
        """Register an account (idempotent; a second call updates the role)."""
        insert = self.dialect.insert(accounts).values(
            platform=platform, handle=normalise_handle(handle), role=role, added_at=_now())
        with self.db.write() as conn:
            conn.execute(insert.on_conflict_do_update(index_elements=["platform", "handle"],
                                                      set_={"role": insert.excluded.role}))

    def remove(self, platform: str, handle: str) -> bool:
        with self.db.write() as conn:
            done = conn.execute(delete(accounts).where(
                accounts.c.platform == platform, accounts.c.handle == normalise_handle(handle)))
        return int(done.rowcount) > 0

    def all(self) -> list[Account]:
        with self.db.read() as conn:
            rows = conn.execute(select(accounts).order_by(accounts.c.platform,
                                                          accounts.c.handle)).all()
        return [Account(r.platform, r.handle, r.role, r.added_at) for r in rows]


class CursorRepository(Repository):
    def get(self, name: str) -> str | None:
        with self.db.read() as conn:
            value = conn.scalar(select(cursors.c.value).where(cursors.c.name == name))
        return None if value is None else str(value)

    def set(self, name: str, value: str) -> None:
        insert = self.dialect.insert(cursors).values(name=name, value=value, updated_at=_now())
        with self.db.write() as conn:
            conn.execute(insert.on_conflict_do_update(
                index_elements=["name"], set_={"value": insert.excluded.value,
                                               "updated_at": insert.excluded.updated_at}))
