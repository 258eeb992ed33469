"""Issue #14 part 6: the weekly and transparency reports (numbers checked against a store of
known counts, HTML with SVG charts, a PDF that parses, small counts masked, an empty period that
says so), their pages and API, and the audited web export of a posts search."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from damai.records import Post
from damai.storage import open_store
from tests.conftest import run_cli
from tests.integration.report_helpers import PERIOD, empty_period, stock_reports
from tests.integration.web_helpers import add_users, client_for, login

SINCE, UNTIL = PERIOD
#: what no report may carry: post texts, narrative titles of the transparency report, people
PERSONAL = ("Tulisan uji", "nama-", "persaudaraan")


@pytest.fixture
def stocked(db_url: str) -> str:
    stock_reports(db_url)
    return db_url


def _json(capsys: pytest.CaptureFixture[str], db_url: str, *args: str) -> dict[str, Any]:
    code, out, err = run_cli(capsys, "report", *args, "--json", "--db", db_url)
    assert code == 0, err
    return dict(orjson.loads(out))


def _pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_weekly_figures_are_the_stored_counts(capsys: pytest.CaptureFixture[str],
                                              stocked: str) -> None:
    found = _json(capsys, stocked, "weekly", "--since", SINCE, "--until", UNTIL)
    assert found["period"]["first_day"] == SINCE and found["period"]["last_day"] == UNTIL
    assert len(found["days"]) == 7 and not found["empty"]
    assert found["posts"] == 11  # the two older posts are outside
    volume = {v["label"]: v for v in found["volume"]}
    assert [v["label"] for v in found["volume"]] == ["abusive", "hate_speech", "disaster"]
    assert {k: v["total"] for k, v in volume.items()} == {"abusive": 1, "hate_speech": 7,
                                                          "disaster": 3}
    assert sum(volume["hate_speech"]["days"]) == 7 and max(volume["hate_speech"]["days"]) == 7
    assert volume["disaster"]["kind"] == "info" and volume["hate_speech"]["kind"] == "harm"
    assert [(n["title"], n["posts"]) for n in found["narratives"]] == [
        ("Narasi uji pertama", 4), ("Narasi uji kedua", 2)]
    assert found["responses"] == {"proposed": 4, "approved": 2, "rejected": 1}
    assert found["published"] == {"total": 8, "channels": {"dry-run": 6, "mastodon": 2}}
    assert found["coverage"] == {"flagged": 7, "covered": 2, "share": round(2 / 7, 4)}
    ttr = found["time_to_respond"]
    assert ttr["approvals"] == 2 and ttr["publications"] == 8
    assert ttr["approval_median_hours"] == pytest.approx(15, abs=0.05)
    assert ttr["publication_median_hours"] == pytest.approx(15, abs=0.05)


def test_weekly_html_and_pdf_carry_the_period_headings_and_charts(
        capsys: pytest.CaptureFixture[str], stocked: str, tmp_path: Path) -> None:
    html, pdf = tmp_path / "minggu.html", tmp_path / "minggu.pdf"
    for out, lang in ((html, "id"), (pdf, "en")):
        code, _, err = run_cli(capsys, "report", "weekly", "--since", SINCE, "--until", UNTIL,
                               "--out", str(out), "--lang", lang, "--db", stocked)
        assert code == 0, err
    page = html.read_text()
    assert page.count("<svg") >= 5 and "<script" not in page
    for heading in ("Laporan mingguan Damai", "Volume per label", "Narasi teratas",
                    "Cakupan", "Waktu merespons", SINCE, UNTIL, "Narasi uji pertama"):
        assert heading in page
    assert "#D55E00" in page and "#0072B2" in page  # harm warm, information cool
    assert "Tidak ada data" not in page
    text = _pdf_text(pdf.read_bytes())
    for heading in ("Damai weekly report", "Volume by label", "Top narratives", "Coverage",
                    "Time to respond", SINCE, UNTIL):
        assert heading in text
    assert "Hate speech" in text  # a chart's label, drawn from the SVG


def test_transparency_is_aggregates_with_small_counts_masked(
        capsys: pytest.CaptureFixture[str], stocked: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    found = _json(capsys, stocked, "transparency", "--since", SINCE, "--until", UNTIL)
    assert found["small_count"] == 5
    rows = {r["label"]: (r["flagged"], r["confirmed"], r["dismissed"]) for r in found["labels"]}
    assert rows == {"abusive": ("< 5", 0, 0), "hate_speech": (7, 5, "< 5"),
                    "disaster": ("< 5", "< 5", 0)}
    assert found["responses"] == {"proposed": "< 5", "approved": "< 5", "rejected": "< 5"}
    # the total holds a masked part: a range, never the exact 8 that would give it away
    assert found["published"] == {"total": "7–10", "channels": {"dry-run": 6,
                                                                "mastodon": "< 5"}}
    assert found["alerts_published"] == 0
    dumped = orjson.dumps(found).decode()
    assert not [word for word in (*PERSONAL, "Narasi uji") if word in dumped]
    monkeypatch.setenv("DAMAI_REPORT_SMALL_COUNT", "1")
    exact = _json(capsys, stocked, "transparency", "--since", SINCE, "--until", UNTIL)
    assert {r["label"]: r["dismissed"] for r in exact["labels"]} == {
        "abusive": 0, "hate_speech": 2, "disaster": 0}
    assert exact["responses"] == {"proposed": 4, "approved": 2, "rejected": 1}
    assert exact["published"]["total"] == 8


def test_transparency_html_states_the_rule_and_the_santa_clara_principles(
        capsys: pytest.CaptureFixture[str], stocked: str, tmp_path: Path) -> None:
    out = tmp_path / "t.pdf"
    code, page, err = run_cli(capsys, "report", "transparency", "--since", SINCE, "--until",
                              UNTIL, "--db", stocked)
    assert code == 0, err
    for words in ("Laporan transparansi Damai", "Prinsip Santa Clara", "Pemberitahuan",
                  "Banding", "&lt; 5", "tanpa teks post"):
        assert words in page
    assert not [word for word in (*PERSONAL, "Narasi uji") if word in page]
    assert run_cli(capsys, "report", "transparency", "--since", SINCE, "--until", UNTIL,
                   "--out", str(out), "--lang", "en", "--db", stocked)[0] == 0
    text = _pdf_text(out.read_bytes())
    assert "Santa Clara" in text and "Appeal" in text and "< 5" in text


def test_hostile_narrative_titles_are_escaped_in_html_and_pdf(
        capsys: pytest.CaptureFixture[str], stocked: str, tmp_path: Path) -> None:
    from sqlalchemy import update

    from damai.storage.schema import narratives

    hostile = '<script>alert("x")</script> 🙂 =cmd'
    with open_store(stocked) as store, store.db.write() as conn:
        conn.execute(update(narratives).where(narratives.c.title == "Narasi uji pertama")
                     .values(title=hostile))
    code, page, err = run_cli(capsys, "report", "weekly", "--since", SINCE, "--until", UNTIL,
                              "--db", stocked)
    assert code == 0, err
    assert "<script>" not in page and "&lt;script&gt;" in page
    out = tmp_path / "w.pdf"
    assert run_cli(capsys, "report", "weekly", "--since", SINCE, "--until", UNTIL, "--out",
                   str(out), "--db", stocked)[0] == 0
    assert "<script>alert" in _pdf_text(out.read_bytes())  # text in a PDF, never run


def test_an_empty_period_says_so_and_is_still_a_report(
        capsys: pytest.CaptureFixture[str], stocked: str, tmp_path: Path) -> None:
    first, last = empty_period()
    for kind in ("weekly", "transparency"):
        found = _json(capsys, stocked, kind, "--since", first, "--until", last)
        assert found["empty"] is True
        out = tmp_path / f"{kind}.pdf"
        code, _, err = run_cli(capsys, "report", kind, "--since", first, "--until", last,
                               "--out", str(out), "--db", stocked)
        assert code == 0 and "no data" in err
        text = _pdf_text(out.read_bytes())
        assert "Tidak ada data pada periode ini" in text and first in text
        code, page, _ = run_cli(capsys, "report", kind, "--since", first, "--until", last,
                                "--db", stocked)
        assert code == 0 and "Tidak ada data pada periode ini" in page
        assert page.rstrip().endswith("</html>")


@pytest.mark.parametrize("args", [("--week", "2026-W60"), ("--week", "minggu"),
                                  ("--since", "2026-11-30", "--until", "2026-11-01"),
                                  ("--since", "2026-11-01"),
                                  ("--since", "2020-01-01", "--until", "2026-01-01"),
                                  ("--week", "2026-W48", "--since", "2026-11-01",
                                   "--until", "2026-11-02"),
                                  ("--out", "laporan.docx")])
def test_a_bad_period_or_file_is_refused_with_a_reason(
        capsys: pytest.CaptureFixture[str], db_url: str, args: tuple[str, ...]) -> None:
    code, _, err = run_cli(capsys, "report", "weekly", *args, "--db", db_url)
    assert code != 0 and " / " in err and "Traceback" not in err


# -- the dashboard and the API --------------------------------------------------------------------
@pytest.fixture
def web(stocked: str) -> TestClient:
    add_users(stocked)
    return client_for(stocked)


def test_the_reports_page_offers_the_weekly_report_to_analysts_only(web: TestClient) -> None:
    login(web, "viewer")
    page = web.get("/reports")
    assert page.status_code == 200
    assert 'id="report-transparency"' in page.text and 'id="report-weekly"' not in page.text
    assert web.get("/reports/weekly").status_code == 403
    shown = web.get("/reports/transparency", params={"since": SINCE, "until": UNTIL})
    assert shown.status_code == 200 and "&lt; 5" in shown.text
    login(web, "analyst")
    assert 'id="report-weekly"' in web.get("/reports").text
    # the dashboard's CSP allows no inline style: its reports link their stylesheet
    html = web.get("/reports/weekly", params={"since": SINCE, "until": UNTIL}).text
    assert '<link rel="stylesheet" href="/reports/report.css">' in html
    assert "<style" not in html and "Narasi uji pertama" in html
    css = web.get("/reports/report.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    pdf = web.get("/reports/weekly", params={"since": SINCE, "until": UNTIL, "format": "pdf"})
    assert pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    assert "Laporan mingguan Damai" in _pdf_text(pdf.content)
    for bad in ({"week": "2026-W99"}, {"since": "kemarin", "until": UNTIL},
                {"format": "docx"}):
        refused = web.get("/reports/weekly", params=bad)
        assert refused.status_code == 400 and 'id="reports-error"' in refused.text


# -- the web export -------------------------------------------------------------------------------
def _audits(db_url: str) -> list[dict[str, Any]]:
    with open_store(db_url) as store:
        return [{"actor": e.actor, **e.detail}
                for e in store.audit.query(action="posts_export", limit=None)]


def test_the_export_honours_the_filters_and_is_audited(web: TestClient, stocked: str) -> None:
    login(web, "analyst")
    page = web.get("/posts", params={"label": "hate_speech"}).text
    assert "/posts/export?format=csv&amp;label=hate_speech" in page
    answer = web.get("/posts/export", params={"format": "csv", "label": "hate_speech",
                                              "since": SINCE})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert len(rows) == 7 and all("hate_speech" in r["flags"] for r in rows)
    assert "author_key" in rows[0] and "score_hate_speech" in rows[0]
    lines = web.get("/posts/export", params={"format": "jsonl", "label": "disaster"}).text
    assert [orjson.loads(x)["flags"] for x in lines.splitlines()] == [["disaster"]] * 3
    (jsonl, first) = _audits(stocked)  # newest first
    assert first == {"actor": "analyst", "format": "csv", "rows": 7, "cut": False,
                     "filters": {"label": "hate_speech", "since": SINCE}}
    assert jsonl["rows"] == 3 and jsonl["format"] == "jsonl"


def test_the_export_stops_at_its_maximum(web: TestClient, stocked: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAMAI_EXPORT_MAX_ROWS", "3")
    login(web, "analyst")
    lines = web.get("/posts/export", params={"format": "jsonl"}).text.splitlines()
    assert len(lines) == 3
    (entry,) = _audits(stocked)
    assert entry["rows"] == 3 and entry["cut"] is True


def test_the_csv_export_defuses_formulas(web: TestClient, stocked: str) -> None:
    with open_store(stocked) as store:
        store.posts.write_batch([Post("x", "rumus", '=HYPERLINK("http://contoh.invalid","klik")',
                                      datetime(2020, 1, 1, 9, tzinfo=UTC), language="id")], [], [])
    login(web, "analyst")
    answer = web.get("/posts/export", params={"format": "csv", "since": "2020-01-01",
                                              "until": "2020-01-02"})
    (row,) = list(csv.DictReader(io.StringIO(answer.text)))
    assert row["text"].startswith("'=HYPERLINK")


def test_the_export_refuses_viewers_and_bad_filters(web: TestClient, stocked: str) -> None:
    login(web, "viewer")
    assert web.get("/posts/export", params={"format": "csv"}).status_code == 403
    assert 'id="post-export"' not in web.get("/posts").text
    login(web, "analyst")
    for bad in ({"format": "xlsx"}, {"format": "csv", "label": "tidak_ada"},
                {"format": "csv", "min_score": "2", "label": "hate_speech"},
                {"format": "csv", "since": "32-13-2026"}, {}):
        refused = web.get("/posts/export", params=bad)
        assert refused.status_code == 400 and " / " in refused.text, bad
    assert _audits(stocked) == []


def test_the_api_gives_the_figures_and_refuses_a_bad_week(web: TestClient, stocked: str) -> None:
    from damai.auth import open_auth_store
    from tests.integration.test_auth_store import fast_passwords

    with open_auth_store(stocked, passwords=fast_passwords()) as auth:
        tokens = {role: auth.create_token(role, "uji", actor="test")
                  for role in ("viewer", "analyst")}
    bearer = {role: {"Authorization": f"Bearer {t}"} for role, t in tokens.items()}
    weekly = web.get("/api/v1/reports/weekly", params={"since": SINCE, "until": UNTIL},
                     headers=bearer["analyst"])
    assert weekly.status_code == 200 and weekly.json()["coverage"]["covered"] == 2
    assert web.get("/api/v1/reports/weekly", headers=bearer["viewer"]).status_code == 403
    public = web.get("/api/v1/reports/transparency", params={"since": SINCE, "until": UNTIL},
                     headers=bearer["viewer"]).json()
    assert public["published"]["channels"] == {"dry-run": 6, "mastodon": "< 5"}
    first, last = empty_period()
    empty = web.get("/api/v1/reports/transparency", params={"since": first, "until": last},
                    headers=bearer["viewer"])
    assert empty.status_code == 200 and empty.json()["empty"] is True
    bad = web.get("/api/v1/reports/weekly", params={"week": "2026-W99"},
                  headers=bearer["analyst"])
    assert bad.status_code == 400 and "2026-W48" in bad.json()["error"]["message"]
