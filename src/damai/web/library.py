"""The counter-narrative library in the dashboard (issue #11): list, entry, create, edit,
approve, retire, and a diff between two versions.

- Everyone signed in reads the library, an entry's versions and uses, and diffs.
- Analysts create entries and edit them; what they write is a **draft**, a new version, so an
  approved text is never changed in place. An edit that changes nothing writes nothing.
- Approvers approve a draft and retire an entry; each is a new version with that status.

The form is checked with the same rules as a library file (:func:`damai.respond.entries.
check_entry`, labels against :func:`damai.pipeline.library.known_labels`); every change is audited
by :class:`~damai.storage.library.LibraryRepository` in the same transaction.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import replace
from typing import Annotated, Any, Final

from fastapi import Depends, FastAPI, Form, Path, Query, Request, Response
from fastapi.responses import RedirectResponse

from damai.errors import InputError
from damai.pipeline.library import known_labels
from damai.respond.diff import diff_entries
from damai.respond.entries import STATUSES, THEMES, TONES, LibraryEntry, RowProblem, check_entry
from damai.storage.library import LibraryVersion, same_content
from damai.web.context import WebContext
from damai.web.render import language, render, signed_in
from damai.web.security import CSRF

__all__ = ["ENTRY_ID", "FIELD_KEYS", "EntryForm", "add_library_routes", "entry_from_form",
           "theme_names"]

#: what a new entry's id may be: lower-case words joined by ``-`` or ``_`` (it is part of URLs)
ENTRY_ID: Final = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}")
_RESERVED: Final = frozenset({"new"})
#: a diffed field → its name on the page (a key of ``damai.web.i18n.MESSAGES``)
FIELD_KEYS: Final = {"title": "library.entry_title", "status": "library.status",
                     "text_id": "library.text_id", "text_en": "library.text_en",
                     "short_280": "library.short_280", "short_500": "library.short_500",
                     "themes": "library.theme_names", "labels": "library.answers",
                     "tone": "library.tone", "source": "library.source",
                     "author": "library.author"}
EntryPath = Annotated[str, Path(max_length=80)]
Choice = Annotated[str | None, Query(max_length=40)]
VersionQuery = Annotated[int | None, Query(ge=1, le=1_000_000)]


def _field(limit: int) -> Any:
    return Form(max_length=limit)


class EntryForm:
    """The create and edit form's fields (``themes`` checked boxes, ``labels`` separated by
    commas)."""

    def __init__(self, title: Annotated[str, _field(300)] = "",
                 text_id: Annotated[str, _field(6000)] = "",
                 text_en: Annotated[str, _field(6000)] = "",
                 short_280: Annotated[str, _field(600)] = "",
                 short_500: Annotated[str, _field(1000)] = "",
                 themes: Annotated[list[str], Form(max_length=8)] = [],  # noqa: B006
                 labels: Annotated[str, _field(2000)] = "",
                 tone: Annotated[str, _field(40)] = "",
                 source: Annotated[str, _field(500)] = "",
                 author: Annotated[str, _field(200)] = "") -> None:
        self.values: dict[str, object] = {
            "title": title, "text_id": text_id, "text_en": text_en, "short_280": short_280,
            "short_500": short_500, "themes": themes, "labels": labels.replace(",", ";"),
            "tone": tone, "source": source, "author": author}


def entry_from_form(form: EntryForm, entry_id: str
                    ) -> tuple[LibraryEntry | None, list[RowProblem]]:
    """The form as a draft entry, or what is wrong with it."""
    problems = []
    if not ENTRY_ID.fullmatch(entry_id) or entry_id in _RESERVED:
        problems.append(RowProblem(1, entry_id, "id", "huruf kecil, angka, - atau _ / lower-case "
                                                      "letters, digits, - or _"))
    entry, found = check_entry({**form.values, "id": entry_id, "status": "draft"}, 1,
                               known_labels())
    return (None if problems else entry), problems + found


def _names(table: dict[str, tuple[str, str]], lang: str) -> dict[str, str]:
    return {k: v[0 if lang == "id" else 1] for k, v in table.items()}


def theme_names(request: Request) -> dict[str, str]:
    """Theme id → its name in the page's language."""
    return _names(THEMES, language(request))


def _choices(request: Request) -> dict[str, Any]:
    lang = language(request)
    return {"themes": _names(THEMES, lang), "tones": _names(TONES, lang), "statuses": STATUSES}


def _form_values(entry: LibraryEntry | None, form: EntryForm | None) -> dict[str, Any]:
    if form is not None:
        return {**form.values, "labels": str(form.values["labels"]).replace(";", ", ")}
    if entry is None:
        return {"themes": [], "labels": ""}
    return {**entry.as_dict(), "text_en": entry.text_en or "", "source": entry.source or "",
            "labels": ", ".join(entry.labels)}


def form_page(request: Request, *, entry: LibraryEntry | None, entry_id: str = "",
              form: EntryForm | None = None, problems: list[RowProblem] | None = None
              ) -> Response:
    return render(request, "library_form.html", {
        "entry": entry, "entry_id": entry_id, "values": _form_values(entry, form),
        "problems": problems or [], **_choices(request)}, 400 if problems else 200)


def _not_found(request: Request) -> Response:
    return render(request, "error.html", {"message": "error.not_found"}, 404)


def _pair(versions: list[LibraryVersion], a: int | None, b: int | None
          ) -> tuple[LibraryVersion, LibraryVersion] | None:
    """The two versions to compare: ``b`` (default the newest) and ``a`` (default the one
    before ``b``)."""
    by_number = {v.entry.version: v for v in versions}
    new = by_number.get(b if b is not None else versions[0].entry.version)
    if new is None:
        return None
    old = by_number.get(a if a is not None else new.entry.version - 1, new)
    return old, new


def add_library_routes(app: FastAPI, ctx: WebContext) -> None:
    lib = ctx.store.library

    def entry_page(request: Request, entry_id: str) -> Response:
        versions = lib.versions(entry_id)
        if not versions:
            return _not_found(request)
        return render(request, "library_entry.html", {
            "v": versions[0], "e": versions[0].entry, "versions": versions,
            "usage": lib.usage(entry_id), **_choices(request)})

    @app.get("/library")
    def library(request: Request, theme: Choice = None, tone: Choice = None,
                status: Choice = None) -> Response:
        found = lib.current(theme=theme or None, tone=tone or None, status=status or None)
        return render(request, "library.html", {
            "entries": found, "theme": theme or "", "tone": tone or "", "status": status or "",
            **_choices(request)})

    @app.get("/library/new")
    def new_entry(request: Request) -> Response:
        return form_page(request, entry=None)

    @app.post("/library", dependencies=CSRF)
    def create(request: Request, entry_id: Annotated[str, Form(alias="id", max_length=200)],
               form: Annotated[EntryForm, Depends()]) -> Response:
        entry, problems = entry_from_form(form, entry_id.strip())
        if entry is not None and lib.get(entry.id) is not None:
            problems = [RowProblem(1, entry.id, "id", "id sudah dipakai / the id is taken")]
        if entry is None or problems:
            return form_page(request, entry=None, entry_id=entry_id, form=form,
                             problems=problems)
        user, ip = signed_in(request)
        lib.save([entry], actor=user.name, action="library_create", ip=ip)
        return RedirectResponse(f"/library/{entry.id}", status_code=303)

    @app.get("/library/{entry_id}")
    def show(request: Request, entry_id: EntryPath) -> Response:
        return entry_page(request, entry_id)

    @app.get("/library/{entry_id}/edit")
    def edit_form(request: Request, entry_id: EntryPath) -> Response:
        current = lib.get(entry_id)
        if current is None:
            return _not_found(request)
        return form_page(request, entry=current.entry, entry_id=entry_id)

    @app.post("/library/{entry_id}", dependencies=CSRF)
    def edit(request: Request, entry_id: EntryPath,
             form: Annotated[EntryForm, Depends()]) -> Response:
        current = lib.get(entry_id)
        if current is None:
            return _not_found(request)
        entry, problems = entry_from_form(form, entry_id)
        if entry is None:
            return form_page(request, entry=current.entry, entry_id=entry_id, form=form,
                             problems=problems)
        if not same_content(replace(entry, status=current.entry.status), current.entry):
            user, ip = signed_in(request)
            lib.save([entry], actor=user.name, action="library_edit", ip=ip)
        return RedirectResponse(f"/library/{entry_id}", status_code=303)

    def change_status(request: Request, entry_id: str, status: str, action: str) -> Response:
        if lib.get(entry_id) is None:
            return _not_found(request)
        user, ip = signed_in(request)
        with suppress(InputError):  # already so: the page shows the status it has
            lib.set_status(entry_id, status, actor=user.name, action=action, ip=ip)
        return RedirectResponse(f"/library/{entry_id}", status_code=303)

    @app.post("/library/{entry_id}/approve", dependencies=CSRF)
    def approve(request: Request, entry_id: EntryPath) -> Response:
        return change_status(request, entry_id, "approved", "library_approve")

    @app.post("/library/{entry_id}/retire", dependencies=CSRF)
    def retire(request: Request, entry_id: EntryPath) -> Response:
        return change_status(request, entry_id, "retired", "library_retire")

    @app.get("/library/{entry_id}/diff")
    def diff(request: Request, entry_id: EntryPath, a: VersionQuery = None,
             b: VersionQuery = None) -> Response:
        versions = lib.versions(entry_id)
        pair = _pair(versions, a, b) if versions else None
        if pair is None:
            return _not_found(request)
        old, new = pair
        return render(request, "library_diff.html", {
            "e": new.entry, "old": old, "new": new, "versions": versions,
            "diffs": diff_entries(old.entry, new.entry), "field_keys": FIELD_KEYS})
