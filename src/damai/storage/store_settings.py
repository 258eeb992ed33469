"""Settings an admin changes in the dashboard, kept in the database (issue #11): today
``four_eyes`` (nobody approves their own proposal; on by default) and ``leaderboard``
(the ambassador leaderboard is shown; issue #12). Each change is audited in the
same transaction. Settings of the installation itself (paths, limits, secrets) are
:mod:`damai.settings`, read from the environment."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import select

from damai.errors import InputError
from damai.storage.audit import append
from damai.storage.engine import Repository
from damai.storage.schema import app_settings

__all__ = ["DEFAULTS", "SettingsRepository"]

#: every stored setting and its value when none was stored
DEFAULTS: Final[dict[str, Any]] = {"four_eyes": True, "leaderboard": True}


class SettingsRepository(Repository):
    def get(self, key: str) -> Any:
        if key not in DEFAULTS:
            raise InputError(f"unknown setting {key!r}; known: {', '.join(DEFAULTS)}")
        with self.db.read() as conn:
            row = conn.execute(select(app_settings.c.value)
                               .where(app_settings.c.key == key)).first()
        return DEFAULTS[key] if row is None else row.value

    def set(self, key: str, value: Any, *, actor: str, ip: str | None = None) -> None:
        """Store ``value``, audited as ``setting_change`` with the old and new value."""
        old = self.get(key)
        if type(value) is not type(DEFAULTS[key]):
            raise InputError(f"setting {key} takes a {type(DEFAULTS[key]).__name__}")
        table = app_settings
        with self.db.write() as conn:
            insert = self.dialect.insert(table).values(
                key=key, value=value, updated_by=actor, updated_at=datetime.now(UTC))
            conn.execute(insert.on_conflict_do_update(
                index_elements=[table.c.key], set_={"value": insert.excluded.value,
                                                    "updated_by": insert.excluded.updated_by,
                                                    "updated_at": insert.excluded.updated_at}))
            append(conn, actor, "setting_change", f"setting:{key}",
                   {"old": old, "new": value}, ip)
