"""The ambassador network, Duta Damai (issue #12 part 5): registration, content kits and their
personal links.

- **Registration** checks the province against :data:`damai.understand.places.PROVINCES` (the
  official name, any case), the handles (``platform:handle``) and the consent (a date and a scope
  are required: no consent, no registration).
- **A kit** is what one ambassador gets for one campaign (``campaign_id``, free text until
  campaigns exist): up to three message variants written from approved library entries (those
  whose themes meet the ambassador's topics first), suggested posting times in the ambassador's
  time zone (WIB, WITA or WIT, from the province), hashtags, a personal tracking tag and, when a
  link is given, a personal tracking link (``?dd=<code>``).
- **The tracking tag** is ``#DD`` and six letters or digits, with no hyphen: X, Mastodon and
  Instagram end a hashtag at a hyphen, so ``#DD-xxxxxx`` would be searched as ``#DD``.
- **The personal page** is reached by ``/kit/<token>``. The token is a random nonce and its HMAC
  under the installation secret (:func:`damai.privacy.installation_secret`); the store keeps only
  its SHA-256. A forged token fails the HMAC before any query; a revoked or expired kit, or one of
  a withdrawn ambassador, is not found. All four answer the same 404.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from damai.errors import InputError, NotFound
from damai.privacy import installation_secret
from damai.spreadsheet import safe_cell
from damai.storage import Store
from damai.storage.ambassadors import Ambassador, Kit, NewAmbassador, NewKit
from damai.understand.places import PROVINCES

__all__ = ["DEFAULT_HASHTAGS", "DEFAULT_TIMES", "IssuedKit", "issue_kit", "kit_rows",
           "kits_csv", "open_kit", "parse_handles", "province_name", "register", "time_zone",
           "token_hash", "verify_token"]

#: hashtags every kit carries besides the personal tag
DEFAULT_HASHTAGS: Final = ("#DutaDamai", "#IndonesiaDamai")
#: suggested posting times (local time): before work, lunch, evening
DEFAULT_TIMES: Final = ("07:00", "12:30", "19:30")
#: how many message variants a kit holds
VARIANTS: Final = 3
_WITA: Final = frozenset({"Bali", "Nusa Tenggara Barat", "Nusa Tenggara Timur",
                          "Kalimantan Selatan", "Kalimantan Timur", "Kalimantan Utara",
                          "Sulawesi Utara", "Gorontalo", "Sulawesi Tengah", "Sulawesi Barat",
                          "Sulawesi Selatan", "Sulawesi Tenggara"})
_WIT: Final = frozenset({"Maluku", "Maluku Utara", "Papua Barat", "Papua Barat Daya", "Papua",
                         "Papua Tengah", "Papua Pegunungan", "Papua Selatan"})
_PLATFORM: Final = re.compile(r"^[a-z][a-z0-9-]{0,19}$")
_ALIASES: Final = {"twitter": "x"}
_CODE_ALPHABET: Final = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
_SALT: Final = b"damai-kit-link:"
_X_LIMIT: Final = 280
_X_LINK: Final = 23  # X counts every link as 23 characters


def province_name(text: str) -> str:
    """The official name of a province written in any case; :class:`InputError` otherwise."""
    wanted = " ".join(text.split()).casefold()
    for province in PROVINCES:
        if province.name.casefold() == wanted:
            return province.name
    raise InputError(f"Provinsi {text!r} tidak dikenal; tulis nama resminya, mis. 'Jawa Barat' "
                     f"/ unknown province {text!r}; write its official name, e.g. 'Jawa Barat'")


def time_zone(province: str) -> str:
    """WIB, WITA or WIT for a province's official name."""
    return "WITA" if province in _WITA else "WIT" if province in _WIT else "WIB"


def parse_handles(items: Sequence[str]) -> dict[str, str]:
    """``["x:@budi", "mastodon:budi@kota.social"]`` → ``{"x": "budi", ...}``."""
    handles: dict[str, str] = {}
    for item in items:
        platform, _, handle = item.partition(":")
        platform = _ALIASES.get(platform.strip().lower(), platform.strip().lower())
        handle = handle.strip().lstrip("@")
        if not _PLATFORM.match(platform) or not handle or any(c.isspace() for c in handle):
            raise InputError(f"Handle {item!r} tidak sah; tulis PLATFORM:HANDLE, mis. x:@budi / "
                             f"invalid handle {item!r}; write PLATFORM:HANDLE, e.g. x:@budi")
        handles[platform] = handle.lower()
    return handles


def register(store: Store, *, name: str, province: str, consent_scope: str,
             consent_at: date | datetime | None = None, regency: str | None = None,
             handles: Sequence[str] = (), languages: Sequence[str] = (),
             topics: Sequence[str] = (), actor: str, ip: str | None = None) -> Ambassador:
    """Check and register an ambassador (audited)."""
    if not name.strip():
        raise InputError("Nama duta wajib diisi / the ambassador's name is required")
    if not consent_scope.strip():
        raise InputError("Catat lingkup persetujuan duta (mis. 'menerima kit dan dihitung "
                         "unggahannya') / record the scope of the ambassador's consent")
    given = consent_at or datetime.now(UTC)
    if not isinstance(given, datetime):
        given = datetime.combine(given, time(0, 0), UTC)
    if given > datetime.now(UTC) + timedelta(days=1):
        raise InputError("Tanggal persetujuan tidak boleh di masa depan / the consent date "
                         "cannot be in the future")
    new = NewAmbassador(
        name=name.strip(), province=province_name(province), consent_at=given,
        consent_scope=consent_scope.strip(), regency=(regency or "").strip() or None,
        handles=parse_handles(handles), languages=_words(languages), topics=_words(topics))
    return store.ambassadors.add(new, actor=actor, ip=ip)


def _words(items: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for item in items:
        out.extend(w.strip().lower() for w in item.split(",") if w.strip())
    return tuple(dict.fromkeys(out))


# -- tokens ---------------------------------------------------------------------------------------
def _signature(nonce: str, secret: bytes) -> str:
    return hmac.new(secret, _SALT + nonce.encode("ascii"), hashlib.sha256).hexdigest()[:32]


def _new_token(secret: bytes) -> str:
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{_signature(nonce, secret)}"


def token_hash(token: str) -> str:
    """What the store keeps of a kit link's token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def verify_token(token: str, secret: bytes | None = None) -> bool:
    """Whether ``token`` was signed with the installation secret (it may still be revoked)."""
    nonce, dot, signature = token.partition(".")
    if not dot or not nonce.isascii() or len(token) > 200:
        return False
    expected = _signature(nonce, secret or installation_secret())
    return hmac.compare_digest(expected, signature)


def open_kit(store: Store, token: str) -> tuple[Kit, Ambassador] | None:
    """The kit and its ambassador behind a personal link, or ``None`` for a forged, revoked or
    expired link, or an ambassador who withdrew (callers answer all of them alike)."""
    if not verify_token(token):
        return None
    kit = store.ambassadors.kit_by_token_hash(token_hash(token))
    ambassador = store.ambassadors.get(kit.ambassador_id) if kit else None
    return (kit, ambassador) if kit and ambassador else None


# -- kits -----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class IssuedKit:
    """A new kit and its page token: the token is shown once, and the store keeps its hash."""

    kit: Kit
    token: str

    @property
    def path(self) -> str:
        return f"/kit/{self.token}"


def _code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))


def tracking_link(link: str, code: str) -> str:
    """``link`` with ``dd=<code>`` in its query; :class:`InputError` unless it is http(s)."""
    parts = urlsplit(link.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"Tautan {link!r} harus diawali http:// atau https:// / the link "
                         "must start with http:// or https://")
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "dd"] + [("dd", code)]
    return urlunsplit(parts._replace(path=parts.path or "/", query=urlencode(query)))


def _pick_entries(store: Store, ambassador: Ambassador, entry_ids: Sequence[str]
                  ) -> list[Any]:
    approved = [v.entry for v in store.library.current(status="approved")]
    if entry_ids:
        chosen = [e for e in approved if e.id in set(entry_ids)]
        if len(chosen) != len(set(entry_ids)):
            raise InputError("Setiap pesan kit harus entri pustaka yang sudah disetujui / "
                             "every kit message must be an approved library entry")
        return chosen
    topics = set(ambassador.topics)
    ranked = sorted(approved, key=lambda e: (not topics & set(e.themes), e.id))
    if not ranked:
        raise InputError("Belum ada entri pustaka yang disetujui; setujui dulu satu entri / no "
                         "approved library entry yet; approve one first")
    return ranked[:VARIANTS]


def kit_content(entries: Sequence[Any], ambassador: Ambassador, tag: str,
                link: str | None) -> dict[str, Any]:
    """Message variants (each ends with the personal tag and the link), times, hashtags. The
    shared hashtags are listed apart, for the ambassador to add where there is room:
    ``fits_x`` says whether a message fits X's 280 characters (a link counts as 23 there)."""
    tail = tag + (f" {link}" if link else "")
    zone = time_zone(ambassador.province)
    messages = []
    for e in entries:
        text = f"{e.short_280.strip()}\n\n{tail}"
        counted = len(text) - (len(link) - _X_LINK if link else 0)
        messages.append({"entry_id": e.id, "version": e.version, "title": e.title,
                         "text": text, "fits_x": counted <= _X_LIMIT})
    return {"messages": messages, "times": [f"{t} {zone}" for t in DEFAULT_TIMES],
            "hashtags": [*DEFAULT_HASHTAGS, tag]}


def issue_kit(store: Store, ambassador_id: int, *, actor: str, campaign_id: str | None = None,
              entry_ids: Sequence[str] = (), link: str | None = None, days: int = 30,
              ip: str | None = None) -> IssuedKit:
    """Write a kit for an ambassador from approved library entries, with a personal link that
    expires after ``days``; every use of an entry is recorded in the library (kind
    ``campaign``)."""
    ambassador = store.ambassadors.get(ambassador_id)
    if ambassador is None:
        raise NotFound(f"Duta #{ambassador_id} tidak ada / ambassador #{ambassador_id} does "
                       "not exist")
    if not 1 <= days <= 366:
        raise InputError("Masa berlaku tautan 1–366 hari / a link lasts 1 to 366 days")
    code = _code()
    tag = f"#DD{code}"
    tracked = tracking_link(link, code) if link else None
    entries = _pick_entries(store, ambassador, entry_ids)
    token = _new_token(installation_secret())
    kit = store.ambassadors.add_kit(NewKit(
        ambassador_id=ambassador.id, tag=tag, code=code, link=tracked,
        content=kit_content(entries, ambassador, tag, tracked), token_hash=token_hash(token),
        campaign_id=(campaign_id or "").strip() or None,
        expires_at=datetime.now(UTC) + timedelta(days=days)), actor=actor, ip=ip)
    for entry in entries:
        store.library.record_use(entry.id, kind="campaign", ref=f"kit:{kit.id}", user=actor)
    return IssuedKit(kit, token)


# -- exports --------------------------------------------------------------------------------------
_CSV_FIELDS: Final = ("kit_id", "ambassador_id", "name", "province", "campaign_id", "tag",
                      "link", "entry_id", "text", "times", "hashtags")


def kit_rows(store: Store, ambassador_id: int | None = None) -> list[dict[str, Any]]:
    """One row per message of every active kit of active ambassadors (no tokens: a link is
    shown once, when its kit is made)."""
    people = {a.id: a for a in store.ambassadors.all()}
    rows = []
    for kit in store.ambassadors.kits(ambassador_id=ambassador_id, include_revoked=False):
        person = people.get(kit.ambassador_id)
        if person is None or not kit.active():
            continue
        for message in kit.content.get("messages", []):
            rows.append({"kit_id": kit.id, "ambassador_id": person.id, "name": person.name,
                         "province": person.province, "campaign_id": kit.campaign_id,
                         "tag": kit.tag, "link": kit.link, "entry_id": message["entry_id"],
                         "text": message["text"], "times": " ".join(kit.content["times"]),
                         "hashtags": " ".join(kit.content["hashtags"])})
    return rows


def kits_csv(rows: Sequence[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows({k: safe_cell(v) for k, v in row.items()} for row in rows)
    return out.getvalue()
