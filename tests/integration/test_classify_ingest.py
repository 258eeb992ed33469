"""Issue #4: the pipeline classifies on ingest, each post keeps its scores and model version,
``damai reclassify`` re-scores the stale posts, and ``damai posts`` filters by label and score.

Two tiny models are trained here (a second or so each): the bundled model may not exist.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import orjson
import pytest

from damai.live.watch import watch_specs
from damai.pipeline.classify import ClassifyStage, reclassify
from damai.pipeline.ingest import IngestOptions, ingest_paths
from damai.records import Post
from damai.storage import PostQuery, Store, open_store
from damai.understand import bundled
from damai.understand.data import Table
from damai.understand.features import FeatureConfig
from damai.understand.model import TextClassifier, TrainConfig, train_classifier
from tests.conftest import page, tweet, write_jsonl
from tests.conftest import run_cli as run
from tests.integration.test_store_contract import pg_schema

HATE = ["usir kaum {w} dari kampung kita, dasar {w} pengkhianat",
        "kaum {w} harus diusir, mereka pengkhianat bangsa",
        "dasar {w} pengkhianat, usir saja dari kampung"]
DISASTER = ["gempa dan banjir melanda {w}, warga mengungsi ke posko",
            "banjir besar di {w}, warga butuh posko pengungsian",
            "gempa guncang {w}, ribuan warga mengungsi"]
CALM = ["selamat pagi warga {w}, mari minum kopi bersama",
        "pagi yang cerah di {w}, ayo jalan santai bersama",
        "warga {w} minum kopi dan bersepeda pagi ini"]
WORDS = ("kafir", "pendatang", "asing", "sesat", "palu", "cianjur", "garut", "ambon", "bandung",
         "poso", "medan", "bogor")


def _rows(templates: list[str], words: tuple[str, ...]) -> list[str]:
    return [t.format(w=w) for t in templates for w in words]


def tiny_model(name: str, drop: int = 0, c: float = 4.0) -> TextClassifier:
    """Labels ``hate`` and ``disaster`` on a few dozen rows; v2 leaves rows out (``drop``) and
    regularises more (``c``), so its scores clearly differ."""
    groups = [(_rows(HATE, WORDS[:4]), [1.0, 0.0]), (_rows(DISASTER, WORDS[4:8]), [0.0, 1.0]),
              (_rows(CALM, WORDS[8:]), [0.0, 0.0])]
    texts = [t for rows, _ in groups for t in rows[drop:]]
    y = np.asarray([label for rows, label in groups for _ in rows[drop:]])
    config = TrainConfig(c=c, features=FeatureConfig(word_bits=12, char_bits=12))
    return train_classifier(Table(texts, ["hate", "disaster"], y, ["test"] * len(texts)), config,
                            name=name)


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("models")
    found = {}
    for name, drop, c in (("v1", 0, 4.0), ("v2", 4, 0.5)):
        tiny_model(name, drop, c).save(root / name)
        found[name] = root / name
    return found


@pytest.fixture
def v1(models: dict[str, Path]) -> TextClassifier:
    return TextClassifier.load(models["v1"])


@pytest.fixture
def v2(models: dict[str, Path]) -> TextClassifier:
    return TextClassifier.load(models["v2"])


#: what each ingested tweet is, by its text; checked against the flags the model stored
POSTS = [
    ("Usir kaum pendatang itu dari kampung kita, dasar pengkhianat!", ["hate"]),
    ("Banjir melanda Garut pagi ini, warga mengungsi ke posko masjid", ["disaster"]),
    ("Selamat pagi warga Bandung, mari minum kopi bersama", []),
    ("Gempa guncang Cianjur, warga mengungsi", ["disaster"]),
    ("dasar kafir pengkhianat, usir saja mereka", ["hate"]),
    ("Ayo jalan santai bersama di Poso pagi ini", []),
]


@pytest.fixture
def tweets_file(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "tweets.jsonl",
                       [page([tweet(i, text) for i, (text, _) in enumerate(POSTS)])])


def by_text(store: Store) -> dict[str, Post]:
    return {p.text: p for p in store.posts.iterate(PostQuery(limit=None))}


def assert_scored_by(store: Store, model: TextClassifier) -> None:
    """Every stored post holds exactly what ``model`` says about its text."""
    posts = by_text(store)
    assert len(posts) == len(POSTS)
    predictions = model.predict(list(posts), explain=False)
    for post, prediction in zip(posts.values(), predictions, strict=True):
        assert post.model_version == model.version
        assert post.labels == pytest.approx(prediction.labels, rel=1e-12, abs=0)
        assert post.flags == prediction.flags


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        store = open_store(f"sqlite:///{tmp_path / 'classify.sqlite3'}")
        yield store
        store.close()
        return
    with pg_schema() as url:
        store = open_store(url)
        yield store
        store.close()


# -- the stage and the pipeline -------------------------------------------------------------------
def test_the_tiny_models_tell_labels_apart(v1: TextClassifier, v2: TextClassifier) -> None:
    assert v1.version != v2.version
    for model in (v1, v2):
        flags = [p.flags for p in model.predict([t for t, _ in POSTS], explain=False)]
        assert flags == [f for _, f in POSTS]


def test_stage_declares_and_sets_what_it_writes(v1: TextClassifier) -> None:
    stage = ClassifyStage(v1)
    posts = [Post("x", str(i), text, datetime(2026, 11, 1, tzinfo=UTC), language="en")
             for i, (text, _) in enumerate(POSTS[:3])]
    predictions = stage.predict(posts)
    assert all(p.model_version is None and p.labels == {} for p in posts)  # predict is pure
    assert stage(posts) is posts
    assert set(ClassifyStage.writes) == {"language", "labels", "flags", "model_version",
                                         "truncated"}
    for post, prediction, (_, flags) in zip(posts, predictions, POSTS, strict=False):
        assert (post.flags, post.model_version, post.language) == (flags, v1.version, "id")
        assert post.labels == prediction.labels and set(post.labels) == {"hate", "disaster"}
    assert stage.predict([]) == []


def test_ingest_classifies_every_new_post(any_store: Store, tweets_file: Path,
                                          v1: TextClassifier) -> None:
    report = ingest_paths([tweets_file], any_store, IngestOptions(batch_size=4),
                          classifier=ClassifyStage(v1))
    assert (report.stored, report.classified, report.model_version) == (6, 6, v1.version)
    assert_scored_by(any_store, v1)
    hate = any_store.posts.query(PostQuery(label="hate"))
    assert sorted(p.text for p in hate) == sorted(t for t, f in POSTS if "hate" in f)
    assert any_store.posts.count(PostQuery(label="disaster", min_score=0.5)) == 2
    assert any_store.posts.count(PostQuery(label="disaster", flagged=False)) == 4


def test_reclassify_rescores_exactly_the_stale_posts(any_store: Store, tmp_path: Path,
                                                     v1: TextClassifier,
                                                     v2: TextClassifier) -> None:
    first, second = POSTS[:4], POSTS[4:]
    files = [write_jsonl(tmp_path / f"{n}.jsonl", [page([tweet(i + off, t) for i, (t, _)
                                                         in enumerate(part)])])
             for n, off, part in (("a", 0, first), ("b", 10, second))]
    ingest_paths([files[0]], any_store, classifier=ClassifyStage(v1))
    ingest_paths([files[1]], any_store)  # not classified
    unscored = [p for p in by_text(any_store).values() if p.model_version is None]
    assert sorted(p.text for p in unscored) == sorted(t for t, _ in second)

    report = reclassify(any_store, ClassifyStage(v1), batch_size=1)
    assert (report.candidates, report.updated, report.flagged) == (2, 2, 1)
    assert_scored_by(any_store, v1)

    progress: list[tuple[int, int]] = []
    report = reclassify(any_store, ClassifyStage(v2), batch_size=4,
                        on_progress=lambda done, total: progress.append((done, total)))
    assert (report.candidates, report.updated) == (6, 6)
    assert progress == [(4, 6), (6, 6)]
    assert_scored_by(any_store, v2)
    again = reclassify(any_store, ClassifyStage(v2))
    assert (again.candidates, again.updated) == (0, 0)
    everything = reclassify(any_store, ClassifyStage(v2), everything=True)
    assert (everything.candidates, everything.updated) == (6, 6)
    assert_scored_by(any_store, v2)


def test_v1_and_v2_scores_differ(v1: TextClassifier, v2: TextClassifier) -> None:
    """Else the reclassify test could not tell which model scored a post: for every text, some
    score differs far beyond the tolerance of :func:`assert_scored_by`."""
    texts = [t for t, _ in POSTS]
    for one, two in zip(v1.predict(texts, explain=False), v2.predict(texts, explain=False),
                        strict=True):
        assert one.labels != pytest.approx(two.labels, rel=1e-9, abs=0)


def test_watch_classifies_what_it_stores(store: Store, v1: TextClassifier) -> None:
    report = watch_specs(["bluesky:search:banjir"], store, dry_run=True, max_polls=2,
                         interval=0, classifier=ClassifyStage(v1))
    stored = store.posts.query(PostQuery(limit=None))
    assert report.stored == len(stored) > 0
    assert {p.model_version for p in stored} == {v1.version}
    assert all(set(p.labels) == {"hate", "disaster"} for p in stored)


# -- the CLI --------------------------------------------------------------------------------------
def test_cli_ingest_posts_filters_and_reclassify(capsys: pytest.CaptureFixture[str],
                                                 tweets_file: Path, db_url: str,
                                                 models: dict[str, Path]) -> None:
    code, out, _ = run(capsys, "ingest", str(tweets_file), "--db", db_url, "--json",
                       "--model", str(models["v1"]))
    assert code == 0
    summary = orjson.loads(out)
    assert (summary["stored"], summary["classified"]) == (6, 6)
    assert summary["model_version"].startswith("v1-")

    _, out, _ = run(capsys, "posts", "--label", "hate", "--output", "jsonl", "--db", db_url)
    rows = [orjson.loads(line) for line in out.splitlines()]
    assert sorted(r["text"] for r in rows) == sorted(t for t, f in POSTS if "hate" in f)
    assert all(r["flags"] == ["hate"] and r["labels"]["hate"] > 0.5 for r in rows)
    assert all(r["model_version"] == summary["model_version"] for r in rows)

    _, out, _ = run(capsys, "posts", "--label", "disaster", "--max-score", "0.5", "--output",
                    "jsonl", "--db", db_url)
    low = [orjson.loads(line) for line in out.splitlines()]
    assert len(low) == 4 and all(r["labels"]["disaster"] <= 0.5 for r in low)

    _, out, _ = run(capsys, "posts", "--label", "disaster", "--db", db_url)
    assert "disaster" in out and "2 of 2 posts" in out and "Garut" in out and "Bandung" not in out

    code, out, _ = run(capsys, "reclassify", "--model", str(models["v1"]), "--db", db_url,
                       "--json")
    assert (code, orjson.loads(out)["updated"]) == (0, 0)
    code, out, _ = run(capsys, "reclassify", "--model", str(models["v2"]), "--db", db_url)
    assert code == 0 and "6 of 6 posts" in out
    _, out, _ = run(capsys, "posts", "--label", "hate", "--min-score", "0", "--output", "jsonl",
                    "--db", db_url, "--limit", "50")
    assert {orjson.loads(line)["model_version"][:3] for line in out.splitlines()} == {"v2-"}


def test_cli_export_has_flags_and_score_columns(capsys: pytest.CaptureFixture[str],
                                                tweets_file: Path, db_url: str,
                                                models: dict[str, Path], tmp_path: Path) -> None:
    run(capsys, "ingest", str(tweets_file), "--db", db_url, "--model", str(models["v1"]))
    code, out, err = run(capsys, "export", "--format", "csv", "--label", "hate", "--db", db_url)
    assert code == 0 and "2 posts exported" in err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["flags"] for r in rows] == ["hate", "hate"]
    assert all(float(r["score_hate"]) > 0.5 > float(r["score_disaster"]) for r in rows)
    import pyarrow.parquet as pq

    target = tmp_path / "all.parquet"
    run(capsys, "export", "--format", "parquet", "--output", str(target), "--db", db_url)
    table = pq.read_table(target)
    assert {"flags", "model_version", "score_disaster", "score_hate"} <= set(table.column_names)
    flagged = sorted(table.column("flags").to_pylist())
    assert flagged == sorted(" ".join(f) for _, f in POSTS)


def test_cli_no_classify_and_missing_bundled_model(capsys: pytest.CaptureFixture[str],
                                                   tweets_file: Path, db_url: str,
                                                   tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run(capsys, "ingest", str(tweets_file), "--db", db_url, "--no-classify",
                         "--json")
    assert code == 0 and orjson.loads(out)["classified"] == 0
    assert "model" not in err
    monkeypatch.setattr(bundled, "DEFAULT_MODEL_DIR", tmp_path / "no-model")
    other = write_jsonl(tmp_path / "more.jsonl", [page([tweet(20, "Kabar pagi dari Ambon")])])
    code, out, err = run(capsys, "ingest", str(other), "--db", db_url, "--json")
    assert code == 0 and orjson.loads(out)["stored"] == 1
    assert err.count("model bawaan belum ada") == 1 and "damai reclassify" in err
    with closing(open_store(db_url)) as store:
        assert store.posts.count_unlabelled("any") == 7
        assert store.posts.count(PostQuery(label="hate", min_score=0.0)) == 0


def test_cli_label_filter_mistakes(capsys: pytest.CaptureFixture[str], db_url: str,
                                   tmp_path: Path) -> None:
    code, _, err = run(capsys, "posts", "--min-score", "0.5", "--db", db_url)
    assert code == 2 and "E100" in err and "--label" in err
    code, _, err = run(capsys, "reclassify", "--model", str(tmp_path / "nothing"), "--db", db_url)
    assert code == 2 and "E100" in err and "damai train" in err
