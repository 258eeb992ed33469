"""Campaigns (issue #12 part 4): check a campaign as a user wrote it, plan its slots in its time
zone, and change its state. The CLI, the API and the dashboard all call these functions.

A campaign as written is a mapping (a YAML or JSON row, a form, an API body)::

    name: Damai di bulan Desember
    goal: Ajak anak muda menolak ajakan kekerasan
    themes: [anti_violence, tolerance]
    messages: ["entry:cn-damai", "entry:cn-a | entry:cn-b", "response:12"]
    channels: [dry-run]
    start: 2026-12-01
    end: 2026-12-14
    times: ["08:00", "19:30"]
    timezone: WIB

A message is ``entry:ID`` (an approved library entry) or ``response:ID`` (an approved response);
``a | b`` are the A and B variants of one message, which the slots alternate. Each posting time
of each day from ``start`` to ``end`` (dates in the campaign's time zone) is a slot on each
channel, and slots take the messages in turn. :func:`check_rows` reports every problem of every
row with its row and field, and nothing is created if there is one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from damai import settings
from damai.errors import NotFound
from damai.pipeline.publishing import channel_problem
from damai.pipeline.responses import Actor
from damai.respond.entries import THEMES, ImportRefused, RowProblem, check_rows
from damai.storage import Store
from damai.storage.campaigns import Campaign, Message, NewCampaign, Slot

__all__ = ["MAX_MESSAGES", "MAX_SLOTS", "MAX_TIMES", "TIMEZONES", "YEARS", "activate",
           "check_campaign", "confirm_missed", "create_campaigns", "end", "pause", "plan_slots",
           "zone_of"]

#: Indonesia's three time zones, by the names Indonesians use
TIMEZONES: Final[dict[str, str]] = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar",
                                    "WIT": "Asia/Jayapura"}
MAX_TIMES: Final = 48
#: the years a campaign may run in (a date far outside is a typo, and year 1 in WIT would
#: fall before year 1 in UTC)
YEARS: Final = (2000, 2200)
MAX_MESSAGES: Final = 2000
MAX_SLOTS: Final = 20_000
_VARIANTS: Final = "ABCD"

Problems = list[RowProblem]


def zone_of(code: str) -> ZoneInfo:
    return ZoneInfo(TIMEZONES[code])


def _texts(value: object) -> list[str]:
    """A list of strings from a list, or from a text split on commas and new lines."""
    if value is None:
        return []
    if isinstance(value, str):
        items: Iterable[object] = value.replace("\n", ",").split(",")
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        return [str(value)]
    return [str(v).strip() for v in items if str(v).strip()]


def _zone(raw: object, add: Callable[[str, str], None]) -> str:
    value = str(raw or "").strip()
    by_name = {v: k for k, v in TIMEZONES.items()}
    code = value.upper() if value.upper() in TIMEZONES else by_name.get(value, "")
    if not code:
        add("timezone", f"{value!r} bukan zona waktu Indonesia: pakai WIB, WITA atau WIT / not "
                        "an Indonesian time zone: use WIB, WITA or WIT")
    return code


def _date(raw: object, name: str, add: Callable[[str, str], None]) -> date | None:
    try:
        found = raw if isinstance(raw, date) else date.fromisoformat(str(raw or "").strip())
    except ValueError:
        add(name, f"{raw!r} bukan tanggal; tulis seperti 2026-12-01 / not a date; write it "
                  "as 2026-12-01")
        return None
    if not YEARS[0] <= found.year <= YEARS[1]:
        add(name, f"{found}: tahun harus antara {YEARS[0]} dan {YEARS[1]} / the year must be "
                  f"between {YEARS[0]} and {YEARS[1]}")
        return None
    return found


def _times(raw: object, add: Callable[[str, str], None]) -> list[str]:
    found: set[str] = set()
    for value in _texts(raw):
        try:
            found.add(time.fromisoformat(value).strftime("%H:%M"))
        except ValueError:
            add("times", f"{value!r} bukan jam; tulis seperti 08:00 / not a time; write it "
                         "as 08:00")
    if not found and not _texts(raw):
        add("times", "beri sedikitnya satu jam tayang / give at least one posting time")
    if len(found) > MAX_TIMES:
        add("times", f"paling banyak {MAX_TIMES} jam sehari / at most {MAX_TIMES} a day")
    return sorted(found)


def _message(spec: str, position: int, variant: str, add: Callable[[str, str], None]
             ) -> Message | None:
    kind, _, ref = spec.strip().partition(":")
    if kind == "entry" and ref.strip():
        return Message(position, variant, entry_id=ref.strip())
    if kind == "response" and ref.strip().isdigit() and 0 < int(ref) < 2**63:
        return Message(position, variant, response_id=int(ref))
    add("messages", f"{spec!r}: tulis entry:ID atau response:ID / write entry:ID or "
                    "response:ID")
    return None


def _messages(raw: object, add: Callable[[str, str], None]) -> list[Message]:
    specs = [s.strip() for s in (raw.splitlines() if isinstance(raw, str) else _texts(raw))
             if s.strip()]
    if not specs:
        add("messages", "beri sedikitnya satu pesan yang disetujui / give at least one "
                        "approved message")
    if len(specs) > MAX_MESSAGES:
        add("messages", f"paling banyak {MAX_MESSAGES} pesan / at most {MAX_MESSAGES}")
    out: list[Message] = []
    for position, spec in enumerate(specs, start=1):
        variants = [v for v in spec.split("|") if v.strip()]
        if len(variants) > len(_VARIANTS):
            add("messages", f"{spec!r}: paling banyak {len(_VARIANTS)} varian / at most "
                            f"{len(_VARIANTS)} variants")
            continue
        for variant, one in zip(_VARIANTS, variants, strict=False):
            made = _message(one, position, variant, add)
            if made is not None:
                out.append(made)
    return out


def _list_of(raw: object, name: str, known: Iterable[str], what: str,
             add: Callable[[str, str], None]) -> list[str]:
    allowed = list(known)
    values = list(dict.fromkeys(_texts(raw)))
    if not values:
        add(name, f"pilih sedikitnya satu {what}: {', '.join(allowed)} / choose at least one")
    for value in values:
        if value not in allowed:
            add(name, f"{value!r} tidak dikenal: pakai {', '.join(allowed)} / unknown: use "
                      f"{', '.join(allowed)}")
    return values


def check_campaign(raw: Mapping[str, object], number: int
                   ) -> tuple[NewCampaign | None, Problems]:
    """One campaign as written → the campaign, or every problem with its row and field. Pure:
    whether messages are approved is checked against the store by :func:`create_campaigns`."""
    name = str(raw.get("name") or "").strip()
    problems: Problems = []

    def add(field: str, message: str) -> None:
        problems.append(RowProblem(number, name or None, field, message))

    if not name or len(name) > 200:
        add("name", "beri nama, paling panjang 200 huruf / give a name of at most 200 "
                    "characters")
    goal = str(raw.get("goal") or "").strip() or None
    themes = _list_of(raw.get("themes"), "themes", THEMES, "tema / theme", add)
    channels = list(dict.fromkeys(_texts(raw.get("channels") or "dry-run")))
    for channel in channels:
        problem = channel_problem(channel)
        if problem is not None:
            add("channels", problem)
    zone = _zone(raw.get("timezone"), add)
    start, end = _date(raw.get("start"), "start", add), _date(raw.get("end"), "end", add)
    if start and end and end < start:
        add("end", f"tanggal akhir {end} sebelum tanggal mulai {start} / the end {end} is "
                   f"before the start {start}")
    times = _times(raw.get("times"), add)
    messages = _messages(raw.get("messages"), add)
    if start and end and end >= start:
        total = ((end - start).days + 1) * len(times) * len(channels)
        if total > MAX_SLOTS:
            add("end", f"{total} slot: paling banyak {MAX_SLOTS}; perpendek jadwalnya / "
                       f"{total} slots: at most {MAX_SLOTS}; shorten the schedule")
    if problems or start is None or end is None:
        return None, problems
    return NewCampaign(name=name, themes=tuple(themes), channels=tuple(channels), timezone=zone,
                       start_date=start, end_date=end, times=tuple(times),
                       messages=tuple(messages), goal=goal), []


def _approval_problems(store: Store, number: int, new: NewCampaign) -> Problems:
    problems: Problems = []
    for m in new.messages:
        if m.entry_id is not None:
            entry = store.library.get(m.entry_id)
            state = None if entry is None else entry.entry.status
        else:
            response = store.responses.get(int(m.response_id or 0))
            state = None if response is None else (
                "approved" if response.publishable else response.state)
        if state != "approved":
            why = ("tidak ada / does not exist" if state is None else
                   f"berstatus {state}, belum disetujui / is {state}, not approved")
            problems.append(RowProblem(number, new.name, "messages", f"{m.ref}: {why}"))
    return problems


def create_campaigns(store: Store, actor: Actor, rows: Iterable[object]) -> list[Campaign]:
    """Check every row (fields, then approval of every message against the store, and names
    not taken); raise :class:`ImportRefused` with every problem, or create them all as drafts."""
    actor.require("analyst", "membuat kampanye / create campaigns")
    checked = check_rows(rows, check_campaign, "name", lambda c: c.name,
                         "bukan pemetaan / not a mapping")
    taken = store.campaigns.names()
    problems: Problems = []
    for number, new in enumerate(checked, start=1):
        problems.extend(_approval_problems(store, number, new))
        if new.name in taken:
            problems.append(RowProblem(number, new.name, "name",
                                       "nama sudah dipakai / the name is taken"))
    if problems:
        raise ImportRefused(problems)
    return [store.campaigns.create(new, actor=actor.name, ip=actor.ip) for new in checked]


def plan_slots(campaign: Campaign, after: datetime) -> list[tuple[int, str, datetime]]:
    """Every slot ``(message position, channel, UTC time)`` of ``campaign`` later than
    ``after``: each posting time of each local day, converted from its time zone to UTC.
    Slots before ``after`` (the activation) are never created: a campaign starts when it is
    activated."""
    zone = zone_of(campaign.timezone)
    positions = sorted({m.position for m in campaign.messages})
    out: list[tuple[int, str, datetime]] = []
    day, turn = campaign.start_date, 0
    while day <= campaign.end_date:
        for hhmm in campaign.times:
            local = datetime.combine(day, time.fromisoformat(hhmm), tzinfo=zone)
            when = local.astimezone(UTC)
            if when > after:
                for channel in campaign.channels:
                    out.append((positions[turn % len(positions)], channel, when))
                turn += 1
        day += timedelta(days=1)
    return out


def _found(store: Store, campaign_id: int) -> Campaign:
    found = store.campaigns.get(campaign_id)
    if found is None:
        raise NotFound(f"kampanye {campaign_id} tidak ada / no campaign {campaign_id}")
    return found


def activate(store: Store, actor: Actor, campaign_id: int, *,
             now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> Campaign:
    """Activate a draft (its slots are written now, those still ahead) or resume a paused
    campaign. Approvers only: the scheduler publishes in the activator's name."""
    actor.require("approver", "mengaktifkan kampanye / activate campaigns")
    found = _found(store, campaign_id)
    slots = plan_slots(found, now()) if found.state == "draft" else []
    return store.campaigns.activate(campaign_id, slots, actor=actor.name, ip=actor.ip)


def pause(store: Store, actor: Actor, campaign_id: int) -> Campaign:
    actor.require("approver", "menjeda kampanye / pause campaigns")
    return store.campaigns.change_state(campaign_id, "paused", actor=actor.name, ip=actor.ip)


def end(store: Store, actor: Actor, campaign_id: int) -> Campaign:
    actor.require("approver", "mengakhiri kampanye / end campaigns")
    return store.campaigns.change_state(campaign_id, "ended", actor=actor.name, ip=actor.ip)


def confirm_missed(store: Store, actor: Actor, campaign_id: int, *, skip: bool = False,
                   now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> list[Slot]:
    """A human's answer to a campaign's missed slots: re-schedule them from now, one
    ``DAMAI_SCHEDULER_MISSED_SPACING_MINUTES`` apart (never a burst), or skip them."""
    actor.require("approver", "menjadwalkan ulang slot terlewat / re-schedule missed slots")
    spacing = timedelta(minutes=settings.get_float("scheduler_missed_spacing_minutes"))
    return store.campaigns.confirm_missed(campaign_id, actor=actor.name, start=now(),
                                          spacing=spacing, skip=skip, ip=actor.ip)
