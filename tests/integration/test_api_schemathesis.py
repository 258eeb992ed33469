"""Issue #4: a bounded schemathesis run against the API's own OpenAPI schema, in process.

Every operation gets generated requests (valid, then invalid, parameters and bodies) with an
authorised token. Each answer must not be a server error, must use a documented status code and
content type, and its body must match the schema of that status (the error shape included).
"""

from __future__ import annotations

from itertools import product
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from damai.auth import open_auth_store
from damai.pipeline.library import import_library
from damai.storage import open_store
from damai.web.api import API_PREFIX
from damai.web.app import create_app
from tests.integration.test_api import stored_posts
from tests.integration.test_auth_store import fast_passwords

# JSONL and CSV bodies are text on the wire
schemathesis.serializer.alias(["application/x-ndjson", "text/csv"], "text/plain")

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture
def token(db_url: str) -> str:
    store = open_store(db_url)
    store.posts.write_batch(stored_posts(), [], [])
    import_library(store, None, actor="test")
    store.close()
    with open_auth_store(db_url, passwords=fast_passwords()) as auth:
        auth.add_user("fuzz", "admin", "kata-sandi-yang-panjang", actor="test")
        return auth.create_token("fuzz", "schemathesis", actor="test")


def operations(db_url: str, token: str) -> list[Any]:
    schema = schemathesis.openapi.from_asgi(f"{API_PREFIX}/openapi.json", create_app(db_url),
                                            headers={"Authorization": f"Bearer {token}"})
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.slow  # 300 generated requests; the hand-made hostile cases below stay in the default
def test_api_conforms_to_its_schema(db_url: str, token: str) -> None:
    found = operations(db_url, token)
    assert {f"{o.method.upper()} {o.path}" for o in found} == {
        "GET /posts", "GET /posts/{post_id}", "GET /stats", "POST /classify", "POST /ingest",
        "GET /jobs/{job_id}", "GET /library", "POST /recommend", "POST /responses",
        "GET /responses/{response_id}", "PATCH /responses/{response_id}",
        "POST /responses/{response_id}/approve", "POST /responses/{response_id}/reject",
        "POST /publications", "POST /publications/{publication_id}/retract", "GET /channels",
        "POST /channels/pause", "POST /channels/resume", "GET /campaigns", "POST /campaigns",
        "GET /campaigns/{campaign_id}", "POST /campaigns/{campaign_id}/activate",
        "POST /campaigns/{campaign_id}/pause", "POST /campaigns/{campaign_id}/end",
        "POST /campaigns/{campaign_id}/confirm-missed", "GET /ambassadors", "POST /ambassadors",
        "GET /ambassadors/reach", "GET /ambassadors/kits", "GET /ambassadors/{ambassador_id}",
        "POST /ambassadors/{ambassador_id}/withdraw", "POST /ambassadors/{ambassador_id}/kits",
        "POST /kits/{kit_id}/revoke", "GET /measure", "GET /events", "GET /map",
        "GET /events/{event_id}",
        "GET /events/{event_id}/alerts", "POST /events/{event_id}/alerts",
        "GET /events/{event_id}/cap", "GET /alerts/{alert_id}", "POST /alerts/{alert_id}/approve",
        "POST /alerts/{alert_id}/reject", "POST /alerts/{alert_id}/publish",
        "GET /hoaxwatch", "POST /hoaxwatch/{event_id}/{post_id}/draft",
        "POST /hoaxwatch/{event_id}/{post_id}/dismiss",
        "GET /narratives", "GET /narratives/{narrative_id}", "GET /reports/weekly",
        "GET /reports/transparency",
        "GET /watchlists", "POST /watchlists", "GET /watchlists/{watchlist_id}",
        "DELETE /watchlists/{watchlist_id}", "GET /notifications", "POST /notifications/read",
        "GET /triage", "POST /triage/review", "POST /triage/dismiss", "POST /triage/assign",
        "POST /triage/undo", "POST /triage/{post_id}/note"}
    headers = {"Authorization": f"Bearer {token}"}
    seen: dict[str, set[int]] = {}
    for operation, mode in product(found, GenerationMode):
        name = f"{operation.method.upper()} {operation.path}"

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=30, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def conforms(case: Any) -> None:
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            seen.setdefault(name, set()).add(response.status_code)  # noqa: B023

        conforms()
    # the run reached the routes' work, not only their validation
    for name in ("GET /posts", "GET /stats", "POST /classify", "POST /ingest", "GET /library"):
        assert 200 in seen[name], (name, seen[name])
    assert 422 in seen["GET /posts"] and 404 in seen["GET /posts/{post_id}"], seen
    assert 422 in seen["POST /responses"] and 404 in seen["GET /responses/{response_id}"], seen


def nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


#: hand-made hostile requests (issue #10): NUL bytes, times that overflow in UTC, forged cursor
#: ids past 64 bits, oversized fields and deeply nested JSON, each once per operation
HOSTILE: dict[str, list[dict[str, Any]]] = {
    "GET /posts": [
        {"query": {"q": "banjir\x00"}}, {"query": {"language": "\x00id"}},
        {"query": {"since": "9999-12-31T23:59:59-05:00"}},
        {"query": {"until": "0001-01-01T00:00:00+05:00"}},
        {"query": {"cursor": "eyJ2IjoxLCJ0IjoiMjAyNi0xMS0wMVQwODowMDowMC4wMDAwMDBaIiwiaSI6MTg0"
                             "NDY3NDQwNzM3MDk1NTE2MTUsImYiOiIwIn0"}},
        {"query": {"q": "x" * 5000}}, {"query": {"limit": str(2**70)}},
        {"query": {"min_score": "1e400", "label": "hate"}},
        # the drill-down filters (issue #14): NUL bytes, LIKE wildcards, oversized values, an
        # unknown province, a path where a host should be
        {"query": {"hashtag": "banjir\x00"}}, {"query": {"hashtag": "%_%"}},
        {"query": {"hashtag": "#" * 5000}}, {"query": {"link": "https://x.example/" + "a" * 5000}},
        {"query": {"link": "\x00"}}, {"query": {"domain": "%"}},
        {"query": {"domain": "kabar.example/../../etc"}}, {"query": {"domain": "a" * 300}},
        {"query": {"province": "Atlantis"}}, {"query": {"province": "Jawa Barat\x00"}},
        {"query": {"province": "' OR 1=1 --"}},
    ],
    "GET /posts/{post_id}": [
        {"path_parameters": {"post_id": "twitter:99999999999999999999"}},
        {"path_parameters": {"post_id": "x:" + "9" * 5000}},
    ],
    "GET /stats": [{"query": {"x": "\x00"}}],
    "POST /classify": [
        {"body": {"text": "gempa\x00 di Cianjur"}}, {"body": {"text": "a" * 300_000}},
        {"body": {"texts": ["b" * 150_000, "c" * 150_000]}}, {"body": {"text": nested(900)}},
    ],
    "POST /recommend": [
        {"body": {"text": "khilafah\x00 sekarang"}}, {"body": {"text": "a" * 300_000}},
        {"body": {"texts": ["", "   "]}}, {"body": {"text": nested(900)}},
    ],
    "POST /ingest": [
        {"body": nested(900), "media_type": "application/json"},
        {"body": {"data": [{"id": "1", "text": "NUL\x00 di teks", "author_id": "7",
                            "created_at": "2026-11-01T08:00:00.000Z",
                            "edit_history_tweet_ids": ["1"]}]},
         "media_type": "application/json"},
        {"body": {"data": [{"id": "2", "text": "t" * 3_000_000, "author_id": "7",
                            "created_at": "9999-12-31T23:59:59-05:00",
                            "edit_history_tweet_ids": ["2"]}]},
         "media_type": "application/json"},
        {"body": "[" * 100_000 + "]" * 100_000, "media_type": "application/x-ndjson"},
    ],
    "GET /library": [
        {"query": {"theme": "literacy\x00"}}, {"query": {"status": "x" * 5000}},
        {"query": {"tone": "humorous", "status": "draft"}}, {"query": {"theme": "🕊"}},
    ],
    "GET /jobs/{job_id}": [
        {"path_parameters": {"job_id": "9" * 40}}, {"path_parameters": {"job_id": "-1"}},
        {"path_parameters": {"job_id": "1\x00"}},
    ],
    "POST /responses": [
        {"body": {"text": "damai\x00 selalu"}}, {"body": {"text": "a" * 6000}},
        {"body": {"post_id": "twitter:" + "9" * 5000, "text": "x"}},
        {"body": {"entry_id": "\x00"}}, {"body": {"text": nested(900)}},
        {"body": {"post_id": "twitter:99999999999999999999", "text": "salam"}},
    ],
    "GET /responses/{response_id}": [
        {"path_parameters": {"response_id": "9" * 40}}, {"path_parameters": {"response_id": "-1"}},
    ],
    "PATCH /responses/{response_id}": [
        {"path_parameters": {"response_id": "1"}, "body": {"text": "\x00"}},
        {"path_parameters": {"response_id": "9" * 40}, "body": {"text": "x"}},
    ],
    "POST /responses/{response_id}/approve": [{"path_parameters": {"response_id": "9" * 40}}],
    "POST /responses/{response_id}/reject": [
        {"path_parameters": {"response_id": "1"}, "body": {"reason": "x" * 600}},
    ],
    "POST /publications": [
        {"body": {"response_id": 2**70, "channel": "dry-run"}},
        {"body": {"entry_id": "\x00", "channel": "dry-run"}},
        {"body": {"response_id": 1, "channel": "mastodon:\x00@" + "a" * 290}},
        {"body": {"response_id": 1, "channel": "x:" + "\u202e" * 50}},
    ],
    # the publishing queue (issue #12)
    "GET /channels": [{"query": {"channel": "\x00"}}],
    "POST /channels/pause": [
        {"body": {"channel": "telegram:\x00", "reason": "x" * 301}},
        {"body": {"channel": "x:damai\x00id", "reason": "\x00"}},
        {"body": {"channel": "dry-run"}},
    ],
    "POST /channels/resume": [{"body": {"channel": "bluesky:" + "z" * 400}},
                              {"body": {"channel": "friendster:a"}}],
    "POST /publications/{publication_id}/retract": [
        {"path_parameters": {"publication_id": "9" * 40}},
        {"path_parameters": {"publication_id": "424242"}, "body": {"reason": "\x00"}},
        {"path_parameters": {"publication_id": "1"}, "body": {"reason": "x" * 600}}],
    # campaigns (issue #12)
    "GET /campaigns": [{"query": {"x": "\x00"}}],
    "POST /campaigns": [
        {"body": {"name": "damai\x00", "themes": ["tolerance\x00"], "messages": ["entry:\x00"],
                  "start": "2026-12-01", "end": "2026-12-02", "times": ["08:00"]}},
        {"body": {"name": "x", "themes": ["tolerance"], "messages": ["response:" + "9" * 40],
                  "start": "9999-12-31", "end": "0001-01-01", "times": ["24:00", "\x00"],
                  "timezone": "Asia/Jakarta\x00"}},
        {"body": {"name": "x", "themes": [], "messages": [], "start": "", "end": "",
                  "times": [], "channels": ["\x00"]}},
    ],
    "GET /campaigns/{campaign_id}": [{"path_parameters": {"campaign_id": "9" * 40}}],
    "POST /campaigns/{campaign_id}/activate": [{"path_parameters": {"campaign_id": "-1"}}],
    "POST /campaigns/{campaign_id}/pause": [{"path_parameters": {"campaign_id": "9" * 40}}],
    "POST /campaigns/{campaign_id}/end": [{"path_parameters": {"campaign_id": "1"}}],
    "POST /campaigns/{campaign_id}/confirm-missed": [
        {"path_parameters": {"campaign_id": "1"}, "body": {"skip": "\x00"}}],

    # the ambassador network (issue #12)
    "GET /ambassadors": [{"query": {"province": "Jawa\x00Barat"}},
                         {"query": {"province": "x" * 5000}}],
    "GET /ambassadors/reach": [{"query": {"by": "ambassador\x00"}}],
    "GET /ambassadors/kits": [{"query": {"x": "\x00"}}],
    "POST /ambassadors": [
        {"body": {"name": "Nur\x00 Aini", "province": "Aceh", "consent_scope": "kit"}},
        {"body": {"name": "a" * 5000, "province": "Aceh", "consent_scope": "kit"}},
        {"body": {"name": "Nur", "province": "Aceh", "consent_scope": "kit",
                  "handles": {"x": "@nur aini"}}},
        {"body": {"name": "Nur", "province": "Aceh", "consent_scope": "kit",
                  "consent_date": "9999-12-31"}},
        {"body": nested(900)},
    ],
    "GET /ambassadors/{ambassador_id}": [{"path_parameters": {"ambassador_id": "9" * 40}},
                                         {"path_parameters": {"ambassador_id": "-1"}}],
    "POST /ambassadors/{ambassador_id}/withdraw": [
        {"path_parameters": {"ambassador_id": "9" * 40}},
        {"path_parameters": {"ambassador_id": "424242"}}],
    "POST /ambassadors/{ambassador_id}/kits": [
        {"path_parameters": {"ambassador_id": "424242"}, "body": {"days": 5}},
        {"path_parameters": {"ambassador_id": "1"}, "body": {"link": "javascript:alert(1)"}},
        {"path_parameters": {"ambassador_id": "1"}, "body": {"campaign_id": "\x00"}}],
    "POST /kits/{kit_id}/revoke": [{"path_parameters": {"kit_id": "9" * 40}},
                                   {"path_parameters": {"kit_id": "424242"}}],
    "GET /measure": [{"query": {"by": "campaign\x00"}}, {"query": {"by": ["theme"] * 6}}],
    "GET /events": [{"query": {"limit": str(2**70)}}, {"query": {"source": "bmkg\x00"}},
                    {"query": {"limit": "0"}}],
    "GET /map": [{"query": {"until": "0001-01-01T00:00:00Z"}},
                 {"query": {"since": "9999-12-31T23:59:59-23:59"}},
                 {"query": {"since": "2026-11-20T00:00\x00"}}],
    # issue #13 part 5: events and their alerts; unknown and out-of-range ids, bad bodies
    "GET /events/{event_id}": [{"path_parameters": {"event_id": "9" * 40}},
                               {"path_parameters": {"event_id": "424242"}}],
    "GET /events/{event_id}/alerts": [{"path_parameters": {"event_id": "0"}},
                                      {"path_parameters": {"event_id": "424242"}}],
    "POST /events/{event_id}/alerts": [
        {"path_parameters": {"event_id": "424242"}, "body": {"msg_type": "Alert"}},
        {"path_parameters": {"event_id": "1"}, "body": {"msg_type": "Alert\x00"}},
        {"path_parameters": {"event_id": "1"}, "body": nested(900)}],
    "GET /events/{event_id}/cap": [{"path_parameters": {"event_id": "424242"}},
                                   {"path_parameters": {"event_id": "-1"}}],
    "GET /alerts/{alert_id}": [{"path_parameters": {"alert_id": "9" * 40}},
                               {"path_parameters": {"alert_id": "424242"}}],
    "POST /alerts/{alert_id}/approve": [{"path_parameters": {"alert_id": "424242"}}],
    "POST /alerts/{alert_id}/reject": [
        {"path_parameters": {"alert_id": "424242"}, "body": {"reason": "x" * 5000}},
        {"path_parameters": {"alert_id": "424242"}, "body": {"reason": "tidak"}}],
    "POST /alerts/{alert_id}/publish": [
        {"path_parameters": {"alert_id": "424242"}, "body": {"channel": "dry-run"}},
        {"path_parameters": {"alert_id": "1"}, "body": {"channel": "\x00"}}],
    # the hoax watch (issue #13 part 7)
    "GET /hoaxwatch": [{"query": {"event": str(2**70)}}, {"query": {"event": "424242"}},
                       {"query": {"event": "0"}}],
    "POST /hoaxwatch/{event_id}/{post_id}/draft": [
        {"path_parameters": {"event_id": "9" * 40, "post_id": "1"}},
        {"path_parameters": {"event_id": "424242", "post_id": "424242"}}],
    "POST /hoaxwatch/{event_id}/{post_id}/dismiss": [
        {"path_parameters": {"event_id": "424242", "post_id": "1"}, "body": {"reason": "a" * 5000}},
        {"path_parameters": {"event_id": "1", "post_id": "9" * 40}, "body": {"reason": "\x00"}},
        {"path_parameters": {"event_id": "1", "post_id": "1"}, "body": nested(900)}],
    # narratives (issue #14 part 2)
    "GET /narratives": [{"query": {"offset": str(2**70)}}, {"query": {"order": "size\x00"}},
                        {"query": {"min_size": "-1"}}],
    "GET /narratives/{narrative_id}": [{"path_parameters": {"narrative_id": "9" * 40}},
                                       {"path_parameters": {"narrative_id": "424242"}},
                                       {"path_parameters": {"narrative_id": "0"}}],
    # reports (issue #14 part 6): weeks and days out of range, NUL bytes, a period too long
    "GET /reports/weekly": [{"query": {"week": "9999-W52"}}, {"query": {"week": "2026-W\x00"}},
                            {"query": {"since": "9999-12-31", "until": "9999-12-31"}},
                            {"query": {"since": "0001-01-01", "until": "2026-01-01"}},
                            {"query": {"week": "2026-W48", "since": "2026-11-01"}}],
    "GET /reports/transparency": [{"query": {"since": "2026-02-30", "until": "2026-03-01"}},
                                  {"query": {"since": "1970-01-01", "until": "2026-01-01"}},
                                  {"query": {"until": "2026-01-01\x00"}}],
    # watchlists (issue #14 part 5): a query that cannot run is refused when saved
    "GET /watchlists": [{"query": {"x": "\x00"}}],
    "POST /watchlists": [{"body": {"name": "a", "query": 'banjir "tanpa tutup'}},
                         {"body": {"name": "a", "query": "label:bukan_label"}},
                         {"body": {"name": "a", "query": "warna:merah"}},
                         {"body": {"name": "a", "query": "b" * 5000}},
                         {"body": {"name": "\x00", "query": "banjir"}}, {"body": nested(900)}],
    "GET /watchlists/{watchlist_id}": [{"path_parameters": {"watchlist_id": "9" * 40}},
                                       {"path_parameters": {"watchlist_id": "424242"}}],
    "DELETE /watchlists/{watchlist_id}": [{"path_parameters": {"watchlist_id": "424242"}},
                                          {"path_parameters": {"watchlist_id": "0"}}],
    "GET /notifications": [{"query": {"limit": str(2**70)}}, {"query": {"limit": "0"}}],
    "POST /notifications/read": [{"body": {"upto": 2**70}}, {"body": {"upto": 0}},
                                 {"body": {"upto": "\x00"}}, {"body": nested(900)}, {}],
    # the triage queue (issue #14 part 1): filters the page refuses, forged cursors, ids past
    # 64 bits, lists past the bulk limit
    "GET /triage": [{"query": {"label": "radicalism\x00"}}, {"query": {"cursor": "A" * 300}},
                    {"query": {"cursor": "OWUzMDk6MQ"}}, {"query": {"since": "9999-99-99"}},
                    {"query": {"province": "' OR 1=1 --"}}, {"query": {"assignee": "%"}},
                    {"query": {"limit": str(2**70)}}],
    "POST /triage/review": [{"body": {"post_ids": [2**70]}}, {"body": {"post_ids": [424242]}},
                            {"body": nested(900)}],
    "POST /triage/dismiss": [{"body": {"post_ids": list(range(1, 300))}},
                             {"body": {"post_ids": [1, "\x00"]}}],
    "POST /triage/assign": [{"body": {"post_ids": [1], "assignee": "\x00"}},
                            {"body": {"post_ids": [1], "assignee": "a" * 5000}},
                            {"body": {"post_ids": [1], "assignee": "ghost"}}],
    "POST /triage/undo": [{"query": {"x": "\x00"}}, {}],
    "POST /triage/{post_id}/note": [
        {"path_parameters": {"post_id": "9" * 40}, "body": {"text": "x"}},
        {"path_parameters": {"post_id": "424242"}, "body": {"text": "\x00"}},
        {"path_parameters": {"post_id": "1"}, "body": {"text": "a" * 5000}},
        {"path_parameters": {"post_id": "1"}, "body": {"text": "   "}}],
}


def test_api_conforms_on_hostile_cases(db_url: str, token: str) -> None:
    found = {f"{o.method.upper()} {o.path}": o for o in operations(db_url, token)}
    assert set(HOSTILE) == set(found)
    headers = {"Authorization": f"Bearer {token}"}
    for name, cases in HOSTILE.items():
        for fields in cases:
            case = found[name].Case(**fields)
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            assert response.status_code < 500, (name, response.text[:300])
