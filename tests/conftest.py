"""Shared fixtures: every test gets its own data directory and secret, and never the network."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from damai.storage import Store, open_store


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path_factory.mktemp("damai-data")
    monkeypatch.setenv("DAMAI_DATA_DIR", str(data))
    monkeypatch.setenv("DAMAI_INSTALLATION_SECRET", "test-secret")
    # ingest does not load the E5 model for paraphrases unless a test asks (issue #14)
    monkeypatch.setenv("DAMAI_NARRATIVES_PARAPHRASE", "0")
    for name in ("DAMAI_DB", "DAMAI_SECRETS_FILE", "DAMAI_STORE_HANDLES"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def store() -> Iterator[Store]:
    s = open_store("sqlite://:memory:")
    yield s
    s.close()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'damai.sqlite3'}"


def tweet(i: int, text: str | None = None, **extra: Any) -> dict[str, Any]:
    """A Twitter API v2 tweet object, as the API returns it."""
    created = datetime(2026, 11, 1, 8, 0, tzinfo=UTC) + timedelta(minutes=i)
    data: dict[str, Any] = {
        "id": str(1850000000000000000 + i),
        "text": text if text is not None else f"Kabar pagi nomor {i} dari Bandung #damai",
        "author_id": str(1000 + i % 7),
        "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "conversation_id": str(1850000000000000000 + i),
        "lang": "in",
        "edit_history_tweet_ids": [str(1850000000000000000 + i)],
        "public_metrics": {"retweet_count": i % 3, "reply_count": 0, "like_count": i % 11,
                           "quote_count": 0, "impression_count": 10 * i},
    }
    data.update(extra)
    return data


def page(tweets: list[dict[str, Any]]) -> dict[str, Any]:
    """A Twitter API v2 search response page with ``includes.users``."""
    users = sorted({t["author_id"] for t in tweets if "author_id" in t})
    return {
        "data": tweets,
        "includes": {"users": [{"id": u, "username": f"warga{u}", "name": f"Warga {u}"}
                               for u in users]},
        "meta": {"result_count": len(tweets)},
    }


def write_jsonl(path: Path, records: list[Any]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``damai ARGS`` in process: (exit code, stdout, stderr)."""
    from damai.cli.main import main

    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.out, captured.err
