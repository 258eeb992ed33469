"""Issue #10: ingest fuzzing. A valid Twitter v2 page has one field replaced by a hostile JSON
fragment (NUL bytes, lone surrogates, times that overflow in UTC, 100-digit numbers, oversized
strings, deep nesting), laid out as JSONL, a JSON document or a JSON array, and sent through
``POST /api/v1/ingest`` (in process: no socket, nothing leaves the machine).

Every body must be answered 200 with ``received = stored + duplicates + quarantined``: bad input
is quarantined, never a crash. Bounded: a fixed number of derandomised examples by default; the
``slow`` test (run by ``make test``) sends every fragment in every field and layout.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import page, tweet
from tests.integration.test_api import Api, ingest, open_api

_MARK = "__hostile__"

#: raw JSON fragments, each valid JSON unless noted
FRAGMENTS: list[bytes] = [
    b'"NUL\\u0000 di tengah"', b'"\\u0000"', b'"\\ud800 setengah surrogate"',
    b'"9999-12-31T23:59:59-05:00"', b'"0001-01-01T00:00:00+05:00"', b'"bukan waktu"',
    b"1" + b"0" * 100, b"-" + b"9" * 40, b"1e400", b"-0", b"true", b"null", b"{}", b"[]",
    b'"' + b"x" * 300_000 + b'"', b'"' + b"\\n" * 10_000 + b'"',
    b"[" * 70 + b"]" * 70, b"[" * 50_000 + b"]" * 50_000,
    b'{"a":' * 3000 + b"1" + b"}" * 3000,
    b'"' + b"[" * 5000 + b'"',  # brackets inside a string are not nesting
    b"[1, 2", b'"tanpa akhir',  # invalid JSON: the record is malformed
]
FIELDS = ["id", "text", "created_at", "author_id", "conversation_id", "entities",
          "public_metrics", "referenced_tweets", "attachments", "geo", "lang"]
LAYOUTS = ["jsonl", "document", "array"]


def body(field: str, fragment: bytes, layout: str) -> tuple[bytes, str]:
    good = orjson.dumps(page([tweet(1)]))
    hostile_tweet = tweet(2) | {field: _MARK}
    hostile = orjson.dumps(page([hostile_tweet, tweet(3)])).replace(
        orjson.dumps(_MARK), fragment)
    if layout == "jsonl":
        return good + b"\n" + hostile + b"\n", "application/x-ndjson"
    if layout == "array":
        return b"[" + good + b"," + hostile + b"]", "application/json"
    return hostile, "application/json"


@pytest.fixture(scope="module")
def fuzz_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with pytest.MonkeyPatch.context() as patch:
        folder = tmp_path_factory.mktemp("fuzz")
        patch.setenv("DAMAI_DATA_DIR", str(folder))
        patch.setenv("DAMAI_INSTALLATION_SECRET", "fuzz")
        yield from open_api(f"sqlite:///{folder / 'damai.sqlite3'}")


@given(field=st.sampled_from(FIELDS), fragment=st.sampled_from(FRAGMENTS),
       layout=st.sampled_from(LAYOUTS))
@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_hostile_fields_are_quarantined_never_fatal(fuzz_api: Api, field: str,
                                                    fragment: bytes, layout: str) -> None:
    data, media = body(field, fragment, layout)
    response = ingest(fuzz_api, data, media)
    assert response.status_code == 200, (field, fragment[:40], layout, response.text[:300])
    report: dict[str, Any] = response.json()
    assert report["received"] == (report["stored"] + report["duplicates"]
                                  + report["quarantined"]), report


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("fragment", FRAGMENTS, ids=range(len(FRAGMENTS)))
def test_every_fragment_in_the_text_field(fuzz_api: Api, fragment: bytes, layout: str) -> None:
    data, media = body("text", fragment, layout)
    response = ingest(fuzz_api, data, media)
    assert response.status_code == 200, (fragment[:40], layout, response.text[:300])


@pytest.mark.slow  # every field × fragment × layout: about 700 requests
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("field", FIELDS)
def test_every_fragment_in_every_field(fuzz_api: Api, field: str, layout: str) -> None:
    for fragment in FRAGMENTS:
        data, media = body(field, fragment, layout)
        response = ingest(fuzz_api, data, media)
        assert response.status_code == 200, (field, fragment[:40], layout, response.text[:300])
        report = response.json()
        assert report["received"] == (report["stored"] + report["duplicates"]
                                      + report["quarantined"]), (field, fragment[:40], report)
