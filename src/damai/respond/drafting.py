"""Drafting a response from a library entry (issue #11): a :class:`Drafter` and two backends.

- :class:`TemplateDrafter`, the offline default: picks the entry's variant that fits the
  channel's length (``short_280``, ``short_500`` or the full text) and, when it still fits, opens
  with a sentence that names the post's topic (its flagged labels). No model, no network.
- :class:`HttpDrafter`, off by default: asks an OpenAI-compatible server (Ollama, vLLM,
  llama.cpp; ``POST {url}/v1/chat/completions``) to adapt the entry to the post, within the
  channel's limit. Set by ``DAMAI_DRAFTER_URL`` and ``DAMAI_DRAFTER_MODEL``. A server that is
  down, slow or answers nonsense raises :class:`DrafterUnavailable` with a message that says so;
  the template drafter keeps working.

A draft is always a *machine draft*: it is proposed for review like any response, and the
pipeline scores it for harm before anyone sees it (:mod:`damai.pipeline.responses`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, Protocol

import httpx

from damai import settings
from damai.errors import SourceError
from damai.respond.entries import LibraryEntry

__all__ = ["CHANNEL_LIMITS", "Draft", "DraftRequest", "Drafter", "DrafterUnavailable",
           "HttpDrafter", "TemplateDrafter", "configured_drafter", "length_for"]

#: the most characters a post may hold on each channel (dry-run: a Mastodon-sized post)
CHANNEL_LIMITS: Final[dict[str, int]] = {"x": 280, "bluesky": 300, "mastodon": 500,
                                         "dry-run": 500, "telegram": 4096}
Length = Literal["short_280", "short_500", "text"]

#: the opening sentence per topic (a flagged label of the post), in the entry's calm voice
_OPENINGS: Final[dict[str, str]] = {
    "hoax": "Soal kabar yang sedang beredar, mari cek dulu sebelum membagikan.",
    "radicalism": "Menanggapi ajakan kekerasan yang beredar:",
    "sara": "Menanggapi pesan yang mempertentangkan suku dan agama:",
    "hate_speech": "Menanggapi ujaran yang menyudutkan sesama:",
    "abusive": "Kita bisa tidak setuju tanpa kata kasar.",
    "disaster": "Untuk saudara-saudara yang terdampak bencana:",
}


class DrafterUnavailable(SourceError):
    """The drafting server could not give a draft (down, slow, or a bad answer)."""

    code = "E320"


@dataclass(frozen=True, slots=True)
class DraftRequest:
    entry: LibraryEntry
    channel: str = "dry-run"
    post_text: str | None = None
    #: the post's flagged labels, most important first
    topics: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Draft:
    text: str
    drafter: str
    length: Length


class Drafter(Protocol):
    """Turns an entry and a post into a draft no longer than the channel allows."""

    name: str

    def draft(self, request: DraftRequest) -> Draft: ...


def length_for(channel: str) -> Length:
    """Which variant of an entry fits ``channel`` (an unknown channel: the shortest)."""
    limit = CHANNEL_LIMITS.get(channel, 280)
    return "short_280" if limit < 500 else "short_500" if limit < 1000 else "text"


def _variant(entry: LibraryEntry, length: Length) -> str:
    return entry.text_id if length == "text" else getattr(entry, length)


def _fit(text: str, limit: int) -> str:
    """``text`` cut at the last word boundary within ``limit``, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…"


class TemplateDrafter:
    """The offline default (module doc)."""

    name = "template"

    def draft(self, request: DraftRequest) -> Draft:
        length = length_for(request.channel)
        limit = CHANNEL_LIMITS.get(request.channel, 280)
        body = _variant(request.entry, length)
        opening = next((_OPENINGS[t] for t in request.topics if t in _OPENINGS), None)
        text = f"{opening} {body}" if opening and len(opening) + 1 + len(body) <= limit else body
        return Draft(_fit(text, limit), self.name, length)


_SYSTEM = ("Anda membantu tim kontra-narasi di Indonesia. Tulis ulang pesan damai yang diberikan "
           "agar menjawab post tersebut: tenang, hormat, tanpa mengejek siapa pun, tanpa fakta "
           "baru, dalam bahasa Indonesia, paling banyak {limit} karakter. Jawab dengan teksnya "
           "saja.")


class HttpDrafter:
    """An OpenAI-compatible chat completions server (module doc). ``transport`` replaces the
    network in tests (``httpx.MockTransport``)."""

    name = "http"

    def __init__(self, url: str, model: str, *, timeout: float = 20.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.url, self.model, self.timeout = url.rstrip("/"), model, timeout
        self.transport = transport

    def _messages(self, request: DraftRequest, limit: int) -> list[dict[str, str]]:
        post = request.post_text or "(tidak ada post; pesan kampanye)"
        return [{"role": "system", "content": _SYSTEM.format(limit=limit)},
                {"role": "user", "content": f"Post: {post}\n\nPesan damai: "
                                            f"{request.entry.text_id}"}]

    def _unavailable(self, what: str) -> DrafterUnavailable:
        return DrafterUnavailable(
            f"server drafter {self.url} {what}; draf templat tetap bisa dipakai / the drafting "
            f"server {self.url} {what}; the template drafter still works")

    def _ask(self, request: DraftRequest, limit: int) -> httpx.Response:
        body = {"model": self.model, "messages": self._messages(request, limit),
                "temperature": 0.3, "stream": False}
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
                return client.post(f"{self.url}/v1/chat/completions", json=body)
        except httpx.TimeoutException:
            raise self._unavailable(f"tidak menjawab dalam {self.timeout:g} detik / did not "
                                    f"answer within {self.timeout:g} seconds") from None
        except httpx.TransportError as exc:
            raise self._unavailable(f"tidak bisa dihubungi / cannot be reached "
                                    f"({type(exc).__name__})") from None

    def draft(self, request: DraftRequest) -> Draft:
        limit = CHANNEL_LIMITS.get(request.channel, 280)
        answer = self._ask(request, limit)
        if answer.status_code != 200:
            raise self._unavailable(f"menjawab HTTP {answer.status_code} / answered HTTP "
                                    f"{answer.status_code}")
        try:
            text = str(answer.json()["choices"][0]["message"]["content"]).strip()
        except (ValueError, KeyError, IndexError, TypeError):
            raise self._unavailable("menjawab tanpa draf / answered without a draft") from None
        if not text:
            raise self._unavailable("menjawab draf kosong / answered an empty draft")
        return Draft(_fit(text, limit), f"http:{self.model}", length_for(request.channel))


def configured_drafter() -> Drafter:
    """The HTTP drafter when ``DAMAI_DRAFTER_URL`` is set, else the template drafter."""
    url = settings.get("drafter_url")
    if not url:
        return TemplateDrafter()
    return HttpDrafter(url, settings.get("drafter_model") or "default",
                       timeout=float(settings.get_int("drafter_timeout")))
