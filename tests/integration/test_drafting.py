"""Issue #11 drafting: the template drafter adapts an entry to the channel's length and the
post's topic; the OpenAI-compatible HTTP drafter is tried against a fake server on 127.0.0.1
(a draft, a slow server that times out, a server that is down, bad answers); a draft is always
a machine draft and passes the same harm check as a person's text."""

from __future__ import annotations

import socket
from dataclasses import replace

import orjson
import pytest

from damai.errors import NotFound, ReviewRefused
from damai.pipeline.responses import approve, propose_draft
from damai.respond.drafting import (
    CHANNEL_LIMITS,
    Draft,
    DrafterUnavailable,
    DraftRequest,
    HttpDrafter,
    TemplateDrafter,
    configured_drafter,
    length_for,
)
from damai.storage import Store
from tests.integration.platform_servers import FakePlatform, Reply, Seen
from tests.integration.test_library_store import ENTRY
from tests.integration.test_publishing_boundary import ANALYST, APPROVER, MODEL
from tests.integration.test_store_contract import make_post

LONG = replace(ENTRY, text_id="Kita bisa berbeda pendapat tanpa saling melukai. " * 30)


class ModelServer(FakePlatform):
    """``POST /v1/chat/completions`` as Ollama, vLLM and llama.cpp answer it."""

    answer = "Berbeda pendapat itu wajar; mari bicara tanpa saling melukai."

    def route(self, seen: Seen) -> Reply:
        if seen.path != "/v1/chat/completions":
            return Reply(404, {"error": "not found"})
        return Reply(200, {"id": "c1", "object": "chat.completion", "choices": [
            {"index": 0, "message": {"role": "assistant", "content": self.answer},
             "finish_reason": "stop"}]})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- template -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("channel", "length"), [
    ("x", "short_280"), ("bluesky", "short_280"), ("mastodon", "short_500"),
    ("dry-run", "short_500"), ("telegram", "text"), ("tidak-dikenal", "short_280")])
def test_the_template_picks_the_variant_that_fits_the_channel(channel: str, length: str) -> None:
    assert length_for(channel) == length
    draft = TemplateDrafter().draft(DraftRequest(LONG, channel))
    assert draft.length == length and draft.drafter == "template"
    assert len(draft.text) <= CHANNEL_LIMITS.get(channel, 280)
    expected = LONG.text_id if length == "text" else getattr(LONG, length)
    assert expected.startswith(draft.text.removesuffix("…"))
    assert draft.text.endswith("…") == (len(expected) > CHANNEL_LIMITS.get(channel, 280))


def test_the_template_names_the_posts_topic_when_it_fits() -> None:
    hoax = TemplateDrafter().draft(DraftRequest(ENTRY, "mastodon", "Vaksin berisi chip!",
                                                ("hoax",)))
    assert hoax.text.startswith("Soal kabar yang sedang beredar") and ENTRY.short_500 in hoax.text
    plain = TemplateDrafter().draft(DraftRequest(ENTRY, "mastodon", "Halo", ()))
    assert plain.text == ENTRY.short_500
    tight = replace(ENTRY, short_280="x" * 270)
    assert TemplateDrafter().draft(DraftRequest(tight, "x", None, ("hoax",))).text == "x" * 270


# -- the HTTP backend against a local fake server -------------------------------------------------
def test_the_http_drafter_asks_the_server_and_keeps_to_the_limit() -> None:
    with ModelServer() as server:
        drafter = HttpDrafter(server.url, "qwen2.5:3b", timeout=5)
        draft = drafter.draft(DraftRequest(ENTRY, "x", "Ayo serang mereka", ("radicalism",)))
        assert draft == Draft(ModelServer.answer, "http:qwen2.5:3b", "short_280")
        sent = orjson.loads(server.requests_to("/v1/chat/completions")[0].body)
        assert sent["model"] == "qwen2.5:3b" and "280" in sent["messages"][0]["content"]
        assert ENTRY.text_id in sent["messages"][1]["content"]
        ModelServer.answer = "kata " * 200
        try:
            long = drafter.draft(DraftRequest(ENTRY, "x"))
        finally:
            ModelServer.answer = "Berbeda pendapat itu wajar; mari bicara tanpa saling melukai."
        assert len(long.text) <= 280 and long.text.endswith("…")


def test_a_slow_server_times_out_with_a_clear_message_and_the_template_still_works() -> None:
    with ModelServer() as server:
        server.fail("/v1/chat/completions", Reply(200, {}, delay=1.5))
        with pytest.raises(DrafterUnavailable, match=r"did not answer within 0\.3 seconds") as e:
            HttpDrafter(server.url, "m", timeout=0.3).draft(DraftRequest(ENTRY))
        assert e.value.code == "E320" and "template drafter still works" in e.value.message
    assert TemplateDrafter().draft(DraftRequest(ENTRY)).text == ENTRY.short_500


def test_a_server_that_is_down_or_answers_badly_is_reported() -> None:
    down = HttpDrafter(f"http://127.0.0.1:{free_port()}", "m", timeout=2)
    with pytest.raises(DrafterUnavailable, match="cannot be reached"):
        down.draft(DraftRequest(ENTRY))
    with ModelServer() as server:
        drafter = HttpDrafter(server.url, "m", timeout=2)
        for reply, message in ((Reply(500, {"error": "boom"}), "answered HTTP 500"),
                               (Reply(200, {"choices": []}), "without a draft"),
                               (Reply(200, b"<html>"), "without a draft"),
                               (Reply(200, {"choices": [{"message": {"content": " "}}]}),
                                "empty draft")):
            server.fail("/v1/chat/completions", reply)
            with pytest.raises(DrafterUnavailable, match=message):
                drafter.draft(DraftRequest(ENTRY))


def test_the_drafter_is_off_by_default_and_set_by_url_and_model(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(configured_drafter(), TemplateDrafter)
    monkeypatch.setenv("DAMAI_DRAFTER_URL", "http://127.0.0.1:11434/")
    monkeypatch.setenv("DAMAI_DRAFTER_MODEL", "llama3.2")
    monkeypatch.setenv("DAMAI_DRAFTER_TIMEOUT", "7")
    drafter = configured_drafter()
    assert isinstance(drafter, HttpDrafter)
    assert (drafter.url, drafter.model, drafter.timeout) == ("http://127.0.0.1:11434",
                                                             "llama3.2", 7.0)


# -- drafts in the review workflow ----------------------------------------------------------------
class Harmful:
    name = "jahat"

    def draft(self, request: DraftRequest) -> Draft:
        return Draft("Serang mereka semua", "jahat", "short_280")


def test_a_draft_is_a_machine_draft_and_passes_the_harm_check(store: Store) -> None:
    store.library.save([ENTRY], actor="cli:test", action="library_import")
    store.posts.write_batch([make_post(1, "Vaksin berisi chip pelacak!", flags=["hoax"],
                                       labels={"hoax": 0.9})], [], [])
    made = propose_draft(store, MODEL, ANALYST, TemplateDrafter(), entry_id=ENTRY.id,
                         post_ref="twitter:1001", channel="mastodon")
    assert made.machine_draft and made.drafter == "template" and made.entry_id == ENTRY.id
    assert made.text.startswith("Soal kabar") and made.post_ref == "twitter:1001"
    assert made.blocked_reason is None
    bad = propose_draft(store, MODEL, ANALYST, Harmful(), entry_id=ENTRY.id)
    assert bad.machine_draft and bad.blocked_reason is not None
    with pytest.raises(ReviewRefused, match="blocked"):
        approve(store, APPROVER, bad.id)
    with pytest.raises(NotFound):
        propose_draft(store, MODEL, ANALYST, TemplateDrafter(), entry_id="cn-tidak-ada")
    with pytest.raises(NotFound):
        propose_draft(store, MODEL, ANALYST, TemplateDrafter(), entry_id=ENTRY.id,
                      post_ref="twitter:404")
    with ModelServer() as server:
        server.fail("/v1/chat/completions", Reply(200, {}, delay=1.0))
        with pytest.raises(DrafterUnavailable):
            propose_draft(store, MODEL, ANALYST, HttpDrafter(server.url, "m", timeout=0.2),
                          entry_id=ENTRY.id)
    assert [r.id for r in store.responses.queue()] == [made.id, bad.id]  # nothing more stored
