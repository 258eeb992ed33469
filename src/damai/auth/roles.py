"""Roles (declared in :mod:`damai.roles`, below storage, whose schema checks them)."""

from __future__ import annotations

from damai.roles import ROLES, check_role, role_at_least

__all__ = ["ROLES", "check_role", "role_at_least"]
