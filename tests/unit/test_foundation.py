"""Settings, privacy and the public API."""

from __future__ import annotations

from pathlib import Path

import pytest

import damai
from damai import settings
from damai.errors import ConfigError
from damai.privacy import Pseudonymiser, author_key, installation_secret
from damai.records import Post, utc
from tests.conftest import tweet

ROOT = Path(__file__).resolve().parents[2]


def test_public_api_exports_exist() -> None:
    for name in damai.__all__:
        assert hasattr(damai, name), name
    assert "Post" in damai.__all__


def test_settings_doc_is_current() -> None:
    """A setting that is not in docs/settings.md fails here: run `make docs`."""
    assert (ROOT / "docs" / "settings.md").read_text(encoding="utf-8") == settings.render_docs()


def test_every_setting_is_documented_in_help() -> None:
    for setting in settings.SETTINGS:
        assert setting.help.strip(), setting.name
        assert setting.env == "DAMAI_" + setting.name.upper()


def test_secrets_come_from_env_or_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets_file = tmp_path / "secrets"
    secrets_file.write_text("# rahasia\nX_BEARER_TOKEN=from-file\n", encoding="utf-8")
    monkeypatch.setenv("DAMAI_SECRETS_FILE", str(secrets_file))
    assert settings.get_secret("x_bearer_token") == "from-file"
    monkeypatch.setenv("DAMAI_X_BEARER_TOKEN", "from-env")
    assert settings.get_secret("x_bearer_token") == "from-env"
    with pytest.raises(ConfigError):
        settings.get("x_bearer_token")


def test_bad_integer_setting_says_which(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAMAI_BATCH_SIZE", "seribu")
    with pytest.raises(ConfigError, match="DAMAI_BATCH_SIZE"):
        settings.get_int("batch_size")


def test_installation_secret_is_created_once(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DAMAI_INSTALLATION_SECRET")
    first = installation_secret(tmp_path)
    assert installation_secret(tmp_path) == first and len(first) == 64
    assert (tmp_path / "installation_secret").stat().st_mode & 0o777 == 0o600


def _post(author: str, handle: str) -> Post:
    from datetime import datetime

    return Post(platform="x", platform_id=tweet(1)["id"], text="halo",
                created_at=utc(datetime(2026, 11, 1)), author_id=author, author_handle=handle)


def test_pseudonymiser_hmacs_ids_and_drops_unregistered_handles() -> None:
    stage = Pseudonymiser(b"k", registered=[("x", "@HumasDamai")])
    posts = stage([_post("42", "someone"), _post("7", "humasdamai")])
    assert posts[0].author_key == author_key(b"k", "x", "42")
    assert posts[0].author_key != author_key(b"other", "x", "42")
    assert posts[0].author_id is None and posts[0].author_handle is None
    assert posts[1].author_handle == "humasdamai"
    assert Pseudonymiser(b"k", keep_handles=True)([_post("1", "a")])[0].author_handle == "a"


def test_cli_doc_is_current(tmp_path: Path) -> None:
    """A command or option missing from docs/cli.md fails here: run `make docs`."""
    import subprocess
    import sys

    target = tmp_path / "cli.md"
    subprocess.run([sys.executable, "-m", "typer", "damai.cli.main", "utils", "docs", "--name",
                    "damai", "--output", str(target)], check=True, capture_output=True)
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == target.read_text(encoding="utf-8")
