"""Dashboard roles, highest first. Each role may do everything the roles below it may do.

Declared at the bottom of the layers: the storage schema checks them, and `damai.auth` uses them."""

from __future__ import annotations

from typing import Final

from damai.errors import InputError

__all__ = ["ROLES", "check_role", "role_at_least"]

#: every role, highest first
ROLES: Final[tuple[str, ...]] = ("admin", "approver", "analyst", "viewer")

_RANK: Final[dict[str, int]] = {role: len(ROLES) - i for i, role in enumerate(ROLES)}


def check_role(role: str) -> str:
    """Return ``role`` if it is known; else an :class:`InputError` naming the choices."""
    if role not in _RANK:
        raise InputError(f"peran {role!r} tidak dikenal; pilih {', '.join(ROLES)} / unknown role "
                         f"{role!r}; choose {', '.join(ROLES)}")
    return role


def role_at_least(role: str, minimum: str) -> bool:
    """Whether ``role`` ranks at or above ``minimum`` (``admin`` ≥ ``approver`` ≥ ``analyst``
    ≥ ``viewer``). An unknown ``role`` ranks below everything; an unknown ``minimum`` is an
    error in the caller."""
    return _RANK.get(role, 0) >= _RANK[check_role(minimum)]
