"""``damai user``, ``damai token`` and ``damai audit``: accounts, API tokens and the audit log.

Every change is written to the audit log with the actor ``cli:<os user>``.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.table import Column, Table

from damai.auth import ROLES, AuthStore, check_password, export_audit_csv, open_auth_store
from damai.cli.common import DbOption, cli_actor, err, out, parse_when, plain
from damai.errors import InputError

__all__ = ["admins", "audit", "cli_actor", "demo_admin", "token_app", "user_app"]

user_app = typer.Typer(help="Pengguna dasbor dan perannya. / Dashboard users and their roles.",
                       no_args_is_help=True)
token_app = typer.Typer(help="Token API. / API tokens.", no_args_is_help=True)

NameArg = Annotated[str, typer.Argument(help="nama pengguna / user name")]
RoleArg = Annotated[str, typer.Argument(help=" | ".join(ROLES))]


@contextmanager
def auth_from(db: str | None) -> Iterator[AuthStore]:
    store = open_auth_store(db)
    try:
        yield store
    finally:
        store.close()


def demo_admin(db: str | None) -> str | None:
    """Create the demo administrator ``admin`` with a random one-time password and return it,
    only when the store has no active administrator (and the name is free); else None."""
    with auth_from(db) as store:
        users = store.list_users()
        if any(u.role == "admin" and not u.disabled for u in users) or any(
                u.name == "admin" for u in users):
            return None
        password = secrets.token_urlsafe(15)
        store.add_user("admin", "admin", password, actor=cli_actor(), must_change=True)
    return password


def admins(db: str | None) -> list[str]:
    """The names of the active administrators."""
    with auth_from(db) as store:
        return [u.name for u in store.list_users() if u.role == "admin" and not u.disabled]


def read_password(from_stdin: bool) -> str:
    """One line of stdin, or a hidden prompt asked twice; checked for length."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Kata sandi / Password", hide_input=True,
                                confirmation_prompt="Ulangi kata sandi / Repeat the password")
    return check_password(password)


@user_app.command("add")
def user_add(name: NameArg,
             role: Annotated[str, typer.Option(help=" | ".join(ROLES))] = "viewer",
             password_stdin: Annotated[bool, typer.Option(
                 "--password-stdin", help="Baca kata sandi dari satu baris stdin. / Read the "
                 "password from one line of stdin.")] = False,
             db: DbOption = None) -> None:
    """Tambah pengguna. / Add a user."""
    password = read_password(password_stdin)
    with auth_from(db) as store:
        user = store.add_user(name, role, password, actor=cli_actor())
    out.print(f"ditambahkan / added: {user.name} ({user.role})")


@user_app.command("list")
def user_list(db: DbOption = None) -> None:
    """Daftar pengguna. / List users."""
    with auth_from(db) as store:
        users = store.list_users()
    table = Table("nama / name", "peran / role", "dibuat / created", "status", "2FA")
    for user in users:
        status = "nonaktif / disabled" if user.disabled else "aktif / active"
        if user.must_change:
            status += "; sandi sekali pakai / one-time password"
        table.add_row(plain(user.name), plain(user.role), user.created_at.strftime("%Y-%m-%d"),
                      status, "✓" if user.totp else "–")
    out.print(table)


@user_app.command("role")
def user_role(name: NameArg, role: RoleArg, db: DbOption = None) -> None:
    """Ganti peran pengguna. / Change a user's role."""
    with auth_from(db) as store:
        user = store.set_role(name, role, actor=cli_actor())
    out.print(f"peran diganti / role changed: {user.name} → {user.role}")


@user_app.command("disable")
def user_disable(name: NameArg, db: DbOption = None) -> None:
    """Nonaktifkan pengguna dan token-tokennya. / Disable a user and their tokens."""
    with auth_from(db) as store:
        user = store.disable_user(name, actor=cli_actor())
    out.print(f"dinonaktifkan / disabled: {user.name}")


@user_app.command("password")
def user_password(name: NameArg,
                  password_stdin: Annotated[bool, typer.Option(
                      "--password-stdin", help="Baca kata sandi sekarang dan yang baru dari dua "
                      "baris stdin. / Read the current and the new password from two lines of "
                      "stdin.")] = False,
                  db: DbOption = None) -> None:
    """Ganti kata sandi sendiri (perlu kata sandi sekarang). / Change your own password (needs
    the current one); your sessions end."""
    if password_stdin:
        current = sys.stdin.readline().rstrip("\r\n")
    else:
        current = typer.prompt("Kata sandi sekarang / Current password", hide_input=True)
    new = read_password(password_stdin)
    with auth_from(db) as store:
        store.change_password(name, current, new)
    out.print(f"kata sandi diganti / password changed: {name}")


@user_app.command("reset-password")
def user_reset_password(name: NameArg, db: DbOption = None) -> None:
    """Beri kata sandi sekali pakai (wajib diganti saat masuk). / Give a one-time password,
    which must be changed at the next login; the user's sessions end."""
    with auth_from(db) as store:
        password = store.reset_password(name, actor=cli_actor())
    out.print(password)
    err.print("Kata sandi sekali pakai ini hanya ditampilkan sekali dan wajib diganti saat masuk "
              "berikutnya. / This one-time password is shown once only and must be changed at "
              "the next login.")


@user_app.command("sessions")
def user_sessions(name: NameArg,
                  end: Annotated[str | None, typer.Option(
                      "--end", help="Akhiri sesi ini (kunci dari daftar) / end this session "
                      "(key from the list)")] = None,
                  end_all: Annotated[bool, typer.Option(
                      "--end-all", help="Akhiri semua sesi / end every session")] = False,
                  db: DbOption = None) -> None:
    """Daftar sesi aktif pengguna, atau akhiri. / List a user's active sessions, or end them."""
    with auth_from(db) as store:
        if end or end_all:
            count = store.end_sessions_of(name, None if end_all else end, actor=cli_actor())
            if not count:
                raise InputError(f"tidak ada sesi itu / no such session of {name}")
            out.print(f"diakhiri / ended: {count}")
            return
        found = store.sessions_of(name)
    table = Table("kunci / key", "mulai / started (UTC)", "berakhir / expires (UTC)", "IP")
    for s in found:
        table.add_row(s.key, s.created_at.strftime("%Y-%m-%d %H:%M"),
                      s.expires_at.strftime("%Y-%m-%d %H:%M"), plain(s.ip or "-"))
    out.print(table)


@user_app.command("2fa-off")
def user_totp_off(name: NameArg, db: DbOption = None) -> None:
    """Matikan login dua langkah (mis. ponsel hilang). / Turn two-factor login off (e.g. a lost
    phone); the user can set it up again from /account."""
    with auth_from(db) as store:
        if store.get_user(name) is None:
            raise InputError(f"pengguna {name!r} tidak ada / no user {name!r}")
        store.totp_disable(name, actor=cli_actor())
    out.print(f"login dua langkah dimatikan / two-factor login off: {name}")


@token_app.command("create")
def token_create(name: NameArg,
                 label: Annotated[str, typer.Option(
                     help="Nama token, mis. mitra-x / token name, e.g. partner-x")] = "api",
                 db: DbOption = None) -> None:
    """Buat token API untuk pengguna NAME. / Create an API token for user NAME."""
    with auth_from(db) as store:
        token = store.create_token(name, label, actor=cli_actor())
    out.print(token)
    err.print("Simpan token ini sekarang: token tidak akan ditampilkan lagi. / Save this token "
              "now: it will not be shown again.")


@token_app.command("revoke")
def token_revoke(name: NameArg,
                 label: Annotated[str, typer.Option(help="Nama token / token name")] = "api",
                 db: DbOption = None) -> None:
    """Cabut token API pengguna NAME. / Revoke an API token of user NAME."""
    with auth_from(db) as store:
        count = store.revoke_token(name, label, actor=cli_actor())
    if not count:
        raise InputError(f"{name} tidak punya token aktif {label!r} / {name} has no live token "
                         f"{label!r}")
    out.print(f"dicabut / revoked: {count}")


def audit(since: Annotated[str | None, typer.Option(
              help="Sejak / since (2026-11-02 atau/or ISO 8601)")] = None,
          until: Annotated[str | None, typer.Option(help="Sebelum / before")] = None,
          actor: Annotated[str | None, typer.Option(help="Pelaku / actor")] = None,
          action: Annotated[str | None, typer.Option(
              help="Aksi / action, mis. / e.g. login_failed")] = None,
          limit: Annotated[int | None, typer.Option(
              help="Paling banyak / at most; bawaan / default: 100, semua / all with --csv")]
          = None,
          as_csv: Annotated[bool, typer.Option("--csv", help="Tulis CSV ke stdout. / Write CSV "
                                               "to stdout.")] = False,
          db: DbOption = None) -> None:
    """Log audit, terbaru dulu. / The audit log, newest first."""
    with auth_from(db) as store:
        entries = store.query_audit(since=parse_when(since, "--since"),
                                    until=parse_when(until, "--until"), actor=actor,
                                    action=action,
                                    limit=limit if limit is not None else None if as_csv else 100)
    if as_csv:
        export_audit_csv(entries, sys.stdout)
        return
    table = Table("waktu / at (UTC)", Column("pelaku / actor", no_wrap=True),
                  Column("aksi / action", no_wrap=True), "sasaran / target", "rincian / detail",
                  "ip")
    for e in entries:
        detail = ", ".join(f"{k}={v}" for k, v in sorted(e.detail.items()))
        table.add_row(e.at.strftime("%Y-%m-%d %H:%M"), plain(e.actor), plain(e.action),
                      plain(e.target or ""), plain(detail), plain(e.ip or ""))
    out.print(table)
