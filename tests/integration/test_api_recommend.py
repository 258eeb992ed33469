"""Issue #11: ``POST /api/v1/recommend`` ranks as ``damai recommend`` does, with the /classify
limits and error shape."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from damai.respond.service import recommender_for
from damai.understand.bundled import load_model
from tests.integration.test_api import Api, assert_error, open_api


@pytest.fixture
def lite(db_url: str) -> Iterator[Api]:
    yield from open_api(db_url)


def test_one_text_gets_three_reasoned_recommendations(lite: Api) -> None:
    text = "Pancasila itu thogut, hanya khilafah yang sah. Tolak demokrasi!"
    response = lite.post("/recommend", json={"text": text})
    assert response.status_code == 200, response.text
    (item,) = response.json()["items"]
    recs = item["recommendations"]
    assert len(recs) == 3 and "message" not in item
    assert set(recs[0]) == {"entry_id", "title", "themes", "score", "reasons"}
    assert "pancasila" in recs[0]["themes"] and all(r["reasons"] for r in recs)
    scores = [r["score"] for r in recs]
    assert scores == sorted(scores, reverse=True)
    cli = recommender_for().using(load_model()).recommend([text], k=3)[0]
    assert [r["entry_id"] for r in recs] == [r.entry_id for r in cli.recommendations]


def test_several_texts_keep_their_order_and_an_empty_one_gets_a_message(lite: Api) -> None:
    texts = ["Gempa kuat di Cianjur, rumah roboh, warga butuh tenda dan selimut", "   "]
    items = lite.post("/recommend", json={"texts": texts}).json()["items"]
    assert "disaster_solidarity" in items[0]["recommendations"][0]["themes"]
    assert items[1]["recommendations"] == [] and " / " in items[1]["message"]


@pytest.mark.parametrize("body", [{}, {"text": "a", "texts": ["b"]}, {"texts": []},
                                  {"text": 3}])
def test_bad_bodies_are_a_422(lite: Api, body: object) -> None:
    assert_error(lite.post("/recommend", json=body), 422, "validation_failed")


def test_a_viewer_may_not_ask(lite: Api) -> None:
    assert_error(lite.post("/recommend", role="viewer", json={"text": "x"}), 403, "forbidden")


@pytest.fixture
def bounded(monkeypatch: pytest.MonkeyPatch, db_url: str) -> Iterator[Api]:
    monkeypatch.setenv("DAMAI_API_MAX_CLASSIFY_TEXTS", "2")
    monkeypatch.setenv("DAMAI_API_MAX_CLASSIFY_CHARS", "100")
    yield from open_api(db_url)


def test_the_classify_limits_apply(bounded: Api) -> None:
    assert_error(bounded.post("/recommend", json={"texts": ["a"] * 3}), 422, "too_many_texts")
    error = assert_error(bounded.post("/recommend", json={"text": "b" * 101}), 413,
                         "too_many_characters")
    assert error["detail"] == {"limit_chars": 100, "chars": 101}
