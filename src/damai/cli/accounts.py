"""``damai accounts``: the team's registered accounts (official channels, ambassadors, partners).

Only registered accounts keep their handle on stored posts; every other author is a pseudonym.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from damai.cli.common import DbOption, out, plain, store_from
from damai.errors import InputError
from damai.storage.base import ACCOUNT_ROLES

app = typer.Typer(help="Akun terdaftar (handle disimpan). / Registered accounts (handles kept).",
                  invoke_without_command=True)

PlatformArg = Annotated[str, typer.Argument(help="x | mastodon | bluesky | telegram | csv")]
HandleArg = Annotated[str, typer.Argument(help="handle, mis. / e.g. @humas_damai")]


@app.callback()
def accounts(ctx: typer.Context, db: DbOption = None) -> None:
    """Daftar akun terdaftar (bawaan). / List registered accounts (default)."""
    if ctx.invoked_subcommand is not None:
        return
    with store_from(db) as store:
        found = store.accounts.all()
    table = Table("platform", "handle", "peran / role", "ditambahkan / added")
    for account in found:
        table.add_row(plain(account.platform), plain(account.handle), plain(account.role),
                      account.added_at.strftime("%Y-%m-%d"))
    out.print(table)


@app.command()
def add(platform: PlatformArg, handle: HandleArg,
        role: Annotated[str, typer.Option(help=" | ".join(ACCOUNT_ROLES))] = "official",
        db: DbOption = None) -> None:
    """Daftarkan akun. / Register an account."""
    if role not in ACCOUNT_ROLES:
        raise InputError(f"unknown role {role!r}; choose {', '.join(ACCOUNT_ROLES)}")
    with store_from(db) as store:
        store.accounts.add(platform, handle, role)
    out.print(f"terdaftar / registered: {platform} {handle} ({role}). Handle disimpan untuk post "
              "berikutnya / the handle is kept on posts ingested from now on.")


@app.command()
def remove(platform: PlatformArg, handle: HandleArg, db: DbOption = None) -> None:
    """Hapus akun dari daftar. / Unregister an account."""
    with store_from(db) as store:
        removed = store.accounts.remove(platform, handle)
    if not removed:
        raise InputError(f"{platform} {handle} is not registered; see `damai accounts`")
    out.print(f"dihapus / removed: {platform} {handle}")
