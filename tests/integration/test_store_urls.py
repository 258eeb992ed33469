"""Database URLs follow SQLAlchemy's convention, and old installs keep their file (issue #10).

``sqlite:///rel.sqlite3`` is relative to the working directory and ``sqlite:////abs/path``
absolute. Damai 0.1 read ``sqlite:///store.sqlite3`` as ``/store.sqlite3``; an install that wrote
``sqlite:///abs/path`` (the README's old form) still opens its file, with one warning.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from damai.errors import InputError
from damai.storage import PostQuery, open_store
from damai.storage.engine import parse_url

from .test_store_contract import make_post


def _store_with_one_post(url: str) -> None:
    with open_store(url) as store:
        store.posts.write_batch([make_post(1)], [], [])


def test_three_slashes_are_relative_to_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _store_with_one_post("sqlite:///store.sqlite3")
    assert (tmp_path / "store.sqlite3").is_file()
    assert not Path("/store.sqlite3").exists()


def test_four_slashes_are_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "abs" / "store.sqlite3"
    _store_with_one_post(f"sqlite:///{target}")  # f"sqlite:///{'/abs'}" has four slashes
    assert target.is_file()
    assert parse_url(f"sqlite:///{target}").database == str(target)


def test_an_old_absolute_url_with_three_slashes_opens_its_file_and_warns_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    target = tmp_path / "lama" / "damai.sqlite3"
    _store_with_one_post(f"sqlite:///{target}")
    elsewhere = tmp_path / "kerja"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    old_form = "sqlite:///" + str(target).lstrip("/")
    with caplog.at_level(logging.WARNING, logger="damai.storage"):
        for _ in range(2):
            with open_store(old_form) as store:
                assert store.posts.count(PostQuery()) == 1
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and str(target) in warnings[0] and "four slashes" in warnings[0]
    assert not (elsewhere / str(target).lstrip("/")).exists()


def test_a_relative_file_that_exists_wins_over_the_old_reading(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tmp").mkdir()
    _store_with_one_post("sqlite:///tmp/relatif.sqlite3")
    assert parse_url("sqlite:///tmp/relatif.sqlite3").database == "tmp/relatif.sqlite3"


@pytest.mark.parametrize("url", ["sqlite://", "sqlite://:memory:", "sqlite:///:memory:"])
def test_memory_urls(url: str) -> None:
    with open_store(url) as store:
        store.posts.write_batch([make_post(1)], [], [])
        assert store.posts.count(PostQuery()) == 1


@pytest.mark.parametrize("url", ["mysql://root@localhost/damai", "damai.sqlite3", "http://x/"])
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(InputError, match=r"sqlite:////ABSOLUTE/PATH"):
        open_store(url)
