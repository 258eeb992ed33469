"""The dashboard in a real browser: Debian's Chromium driven by Playwright over a real uvicorn.

Covers login, search, filters, a post's detail, the triage queue (assign, review, dismiss), the
language switch, and hostile post text rendered inert (no dialog fires, the literal text shows).
Screenshots go to ``build/screenshots/``. Playwright never downloads a browser here: it drives
``/usr/bin/chromium`` (``scripts/ensure-chromium.sh`` installs it; ``make test`` runs that). On CI a
missing Chromium fails the run; elsewhere these tests are skipped with the reason.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from damai.records import Geo, Post
from damai.storage import open_store
from tests.integration.web_helpers import PASSWORD, add_users

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "build" / "screenshots"
HOSTILE = ('<script>alert(1)</script> <img src=x onerror="alert(2)"> Rakit bom, serang gereja '
           'di Poso! <a href="javascript:alert(3)">gabung</a>')
T0 = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
#: the triage queue's question before a dismissal (htmx's hx-confirm)
CONFIRM_DISMISS = ("confirm", "Tolak post ini?")

# (text, labels, flags, place, engagement, url)
POSTS: list[tuple[str, dict[str, float], list[str], str | None, dict[str, int], str | None]] = [
    (HOSTILE, {"radicalism": 0.93, "hate_speech": 0.64}, ["radicalism", "hate_speech"], "Poso",
     {"likes": 3, "reposts": 1}, "javascript:alert(4)"),
    ("Banjir setinggi dada di Kampung Melayu, warga butuh perahu karet dan makanan #banjir",
     {"disaster": 0.9}, ["disaster"], "Jakarta Timur", {"likes": 40, "reposts": 25},
     "https://x.com/warga/status/1"),
    ("Gempa terasa kuat di Mataram, semua keluar rumah. Tetap tenang dan jauhi bangunan retak "
     "#gempa", {"disaster": 0.86}, ["disaster"], "Mataram", {"likes": 12},
     "https://x.com/warga/status/2"),
    ("Kafir-kafir itu harus diusir dari kampung kita, jangan beri tempat #usir",
     {"hate_speech": 0.81, "sara": 0.7}, ["hate_speech", "sara"], "Makassar", {"likes": 5},
     "https://x.com/warga/status/3"),
    ("Mari jaga kerukunan: beda agama tetap saudara sebangsa. Salam damai dari Ambon #damai",
     {"counter_speech": 0.92}, ["counter_speech"], "Ambon", {"likes": 80, "reposts": 30},
     "https://x.com/warga/status/4"),
    ("Kabar pagi: lalu lintas di Bandung lancar, cuaca cerah berawan", {"disaster": 0.05}, [],
     "Bandung", {}, "https://x.com/warga/status/5"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _fill(db_url: str) -> None:
    store = open_store(db_url)
    posts = [Post(platform="x", platform_id=str(9000 + i), text=text,
                  created_at=T0 + timedelta(hours=i), language="id", labels=labels,
                  flags=flags, model_version="test-model", geo=Geo(place=place),
                  engagement=engagement, url=url,
                  hashtags=[w[1:] for w in text.split() if w.startswith("#")])
             for i, (text, labels, flags, place, engagement, url) in enumerate(POSTS)]
    store.posts.write_batch(posts, [], [])
    store.close()


@contextmanager
def running_server(tmp: Path, fill: Callable[[str], None] = _fill) -> Iterator[str]:
    """``damai serve`` on a fresh SQLite store under ``tmp`` that ``fill`` filled, with an
    admin and an analyst; its base URL."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: run scripts/ensure-chromium.sh"
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run on CI; {reason}")
        pytest.skip(reason)
    db_url = f"sqlite:///{tmp / 'damai.sqlite3'}"
    fill(db_url)
    add_users(db_url, ("admin", "analyst"))
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get(
        "PYTHONPATH", "")}
    process = subprocess.Popen(
        [sys.executable, "-m", "damai", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--db", db_url], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("browser")) as base:
        yield base


@contextmanager
def signed_in_page(server: str, user: str, path: str) -> Iterator[tuple[Any, list[str]]]:
    """A Chromium page signed in as ``user`` (through the login form) and sent on to ``path``,
    and the Content-Security-Policy errors its console reports (a test asserts none)."""
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    csp_errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: csp_errors.append(m.text)
                if "Content Security Policy" in m.text else None)
        page.goto(server + path)
        page.fill("input[name=name]", user)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(server + path)
        yield page, csp_errors
        browser.close()


def test_dashboard_in_chromium(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    dialogs: list[str] = []
    csp_errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        # the triage queue's own "dismiss?" question is answered yes; any other dialog is a
        # script the page should never have run
        page.on("dialog", lambda d: d.accept() if (d.type, d.message) == CONFIRM_DISMISS
                else (dialogs.append(d.message), d.dismiss()))
        page.on("console", lambda m: csp_errors.append(m.text)
                if "Content Security Policy" in m.text else None)

        # log in (the Secure cookie must survive on http://127.0.0.1)
        page.goto(server + "/posts")
        expect(page).to_have_url(server + "/login?next=/posts")
        expect(page.locator("h1")).to_have_text("Masuk ke Damai")
        page.fill("input[name=name]", "analyst")
        page.fill("input[name=password]", "salah-sandi-sekali-lagi")
        page.click("button[type=submit]")
        expect(page.locator("#login-error")).to_be_visible()
        page.screenshot(path=str(SHOTS / "login-failed.png"))
        page.fill("input[name=name]", "analyst")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(server + "/posts")
        cookie = next(c for c in page.context.cookies() if c["name"] == "damai_session")
        assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Lax"

        # overview: chart and map drawn by our own script from the JSON block
        page.goto(server + "/")
        expect(page.locator("#total-posts")).to_have_text("6")
        # the province choropleth: the 33 bundled polygons (issue #14 part 4)
        expect(page.locator("#province-map path[data-province]")).to_have_count(33)
        page.wait_for_function("document.getElementById('volume-chart').width > 0")
        expect(page.locator("#top-hashtags")).to_contain_text("#banjir")
        page.screenshot(path=str(SHOTS / "overview.png"), full_page=True)

        # search and filter
        page.goto(server + "/posts")
        page.fill("input[name=q]", "banjir")
        page.click("#post-filters button[type=submit]")
        expect(page.locator("#post-results tbody tr")).to_have_count(1)
        page.fill("input[name=q]", "")
        page.select_option("select[name=label]", "disaster")
        page.fill("input[name=min_score]", "0.88")
        page.click("#post-filters button[type=submit]")
        expect(page.locator("#post-results tbody tr")).to_have_count(1)
        expect(page.locator("#post-results")).to_contain_text("Kampung Melayu")
        page.screenshot(path=str(SHOTS / "posts-filtered.png"), full_page=True)

        # the hostile post: literal text, inert link, no dialog
        page.goto(server + "/posts?q=rakit")
        page.click("#post-results tbody tr a")
        expect(page.locator("#post-text")).to_contain_text("<script>alert(1)</script>")
        expect(page.locator("#post-text")).to_contain_text('href="javascript:alert(3)"')
        expect(page.locator("#inert-link")).to_contain_text("javascript:alert(4)")
        assert page.locator("a[href^='javascript']").count() == 0
        assert page.locator("#post-text img, #post-text a, #post-text script").count() == 0
        expect(page.locator("#scores")).to_contain_text("Radikalisme")
        page.screenshot(path=str(SHOTS / "post-hostile.png"), full_page=True)

        # triage: assign, review, dismiss (htmx swaps rows in place); harms in their own queue
        page.goto(server + "/triage")
        rows = page.locator("#triage-queue tbody tr")
        expect(rows).to_have_count(2)
        first = rows.nth(0)
        first.locator("select[name=assignee]").select_option("analyst")
        first.locator("form.assign button").click()
        expect(first.locator(".assign-result")).to_contain_text("analyst")
        first.locator("button.review").click()
        expect(page.locator("tr.done").first).to_contain_text("Sudah ditinjau")
        other_row = page.locator("#triage-queue tbody tr", has_text="Kafir-kafir")
        other_row.locator("button.dismiss").click()
        expect(page.locator("tr.done")).to_have_count(2)
        expect(page.locator("tr.done").nth(1)).to_contain_text("koreksi disimpan")
        page.screenshot(path=str(SHOTS / "triage.png"), full_page=True)
        page.click("#triage-tabs a[data-queue=disaster]")
        expect(rows).to_have_count(2)

        # language switch
        page.click("#lang-switch")
        expect(page.locator("h1")).to_have_text("Triage queue")
        page.goto(server + "/")
        expect(page.locator("nav")).to_contain_text("Overview")
        page.screenshot(path=str(SHOTS / "overview-en.png"), full_page=True)
        browser.close()

    assert dialogs == [], "hostile text ran a script"
    assert csp_errors == [], "a page broke its own Content-Security-Policy"
