"""Tiny models and labelled stores for the registry, teach-queue and model-page tests (issue #9).

The fixture is ``damai adapt``'s (``tests/integration/test_adapt_cli.py``): the base model learns
hate from one set of insults; the installation's domain uses slurs the base never saw ("kadrun",
"kampret"), so the base misses them until it is adapted to the installation's labels.
``tiny_bundled`` makes such a base the bundled model for one test.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from damai.records import Post
from damai.storage import Store
from damai.understand import bundled
from damai.understand.data import Table
from damai.understand.features import FeatureConfig
from damai.understand.model import TextClassifier, TrainConfig, train_classifier
from tests.integration.test_adapt_cli import BASE, NAMES, TARGET

__all__ = ["BASE", "NAMES", "TARGET", "label_all", "target_posts", "train_tiny", "truth"]

SMALL = FeatureConfig(word_bits=14, char_bits=14)
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def train_tiny(rows: list[tuple[str, int]], name: str) -> TextClassifier:
    texts = [t.format(n) for n in NAMES for t, _ in rows]
    y = np.asarray([[float(v)] for _ in NAMES for _, v in rows])
    table = Table(texts, ["hate_speech"], y, ["fixture"] * len(texts))
    return train_classifier(table, TrainConfig(features=SMALL, calibration_folds=2), name=name)


@pytest.fixture(scope="session")
def base_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny-bundled")
    train_tiny(BASE, "tiny-base").save(folder)
    return folder


@pytest.fixture
def tiny_bundled(base_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tiny base model stands in for the bundled one."""
    monkeypatch.setattr(bundled, "DEFAULT_MODEL_DIR", base_model_dir)
    return base_model_dir


def target_posts(copies: int = 1) -> list[Post]:
    """The installation's posts: every TARGET sentence for every name, ``copies`` times."""
    posts = []
    for c in range(copies):
        for i, (template, _) in enumerate((t, y) for n in NAMES for t, y in TARGET):
            n = i // len(TARGET)
            posts.append(Post(platform="x", platform_id=f"{c}-{i}",
                              text=template.format(NAMES[n]),
                              created_at=T0 + timedelta(minutes=i + 1000 * c), language="id"))
    return posts


def truth(text: str) -> int:
    for template, value in TARGET:
        head = template.split("{}")[0]
        tail = template.split("{}")[-1]
        if text.startswith(head) and text.endswith(tail):
            return value
    raise AssertionError(f"not a fixture text: {text}")


def label_all(store: Store, user: str = "rina", limit: int | None = None) -> int:
    """Store the target posts and label each one (1 or 0 for hate_speech); return how many."""
    store.posts.write_batch(target_posts(), [], [])
    done = 0
    for stored in store.triage.uncorrected(10_000)[:limit]:
        store.triage.add_corrections(stored.id, {"hate_speech": truth(stored.post.text)}, user)
        done += 1
    return done
