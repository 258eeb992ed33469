"""The classifier on small fixtures written for these tests: it must separate them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from damai.errors import InputError
from damai.understand import model as model_module
from damai.understand.data import Table, combine, parse_labels, read_table
from damai.understand.evaluate import cross_validate, evaluate_model
from damai.understand.features import FeatureConfig, Featurizer
from damai.understand.model import TextClassifier, TrainConfig, train_classifier
from damai.understand.types import MAX_TEXT_CHARS

HATE = ["dasar {} goblok tolol", "kamu {} bodoh sekali, bego", "{} anjing lu tolol",
        "goblok banget si {}", "bego amat {} ini, dasar tolol"]
CALM = ["selamat pagi {} semuanya", "terima kasih {} atas bantuannya", "ayo makan siang {}",
        "semoga {} sehat selalu", "jalan ke pasar bareng {}"]
FLOOD = ["banjir setinggi lutut di {} pagi ini", "air sungai meluap, rumah di {} terendam",
         "tolong, warga {} terjebak banjir"]
NAMES = ["budi", "sari", "andi", "rina", "joko", "wati", "dedi", "tuti", "agus", "lina"]
SMALL = FeatureConfig(word_bits=14, char_bits=14)


def _table() -> Table:
    texts, rows = [], []
    for name in NAMES:
        texts += [t.format(name) for t in HATE]
        rows += [[1.0, 0.0]] * len(HATE)
        texts += [t.format(name) for t in CALM]
        rows += [[0.0, 0.0]] * len(CALM)
        texts += [t.format(name) for t in FLOOD]
        rows += [[0.0, 1.0]] * len(FLOOD)
    return Table(texts, ["hate_speech", "disaster"], np.asarray(rows), ["t"] * len(texts))


@pytest.fixture(scope="module")
def model() -> TextClassifier:
    return train_classifier(_table(), TrainConfig(features=SMALL))


def test_tiny_model_separates_its_fixture(model: TextClassifier) -> None:
    predictions = model.predict(["dasar goblok tolol kamu", "selamat pagi, terima kasih",
                                 "banjir merendam rumah warga"])
    assert predictions[0].flags == ["hate_speech"]
    assert predictions[1].flags == []
    assert predictions[2].flags == ["disaster"]
    assert predictions[0].labels["hate_speech"] > 0.5 > predictions[1].labels["hate_speech"]
    assert all(0.0 <= s <= 1.0 for p in predictions for s in p.labels.values())


def test_explanations_name_the_driving_terms(model: TextClassifier) -> None:
    [prediction] = model.predict(["dasar goblok tolol kamu"])
    assert next(t for t, _ in prediction.explanations["hate_speech"]) in {"goblok", "tolol"}
    [clean] = model.normalise(["dasar goblok, selamat pagi"])
    terms = [t for t, _ in model.explain(clean, "hate_speech")]
    assert "goblok" in terms[:2]
    assert "pagi" not in terms


def test_bad_texts_are_handled(model: TextClassifier) -> None:
    empty, emoji, huge, english = model.predict(
        ["", "😂😂🔥", "tolol " * (MAX_TEXT_CHARS // 3), "good morning, thank you all"])
    assert empty.empty and empty.flags == [] and set(empty.labels.values()) == {0.0}
    assert emoji.language == "und" and not emoji.empty
    assert huge.truncated and "hate_speech" in huge.flags
    assert english.language == "en"


@pytest.mark.slow  # K-fold training: over 10 s of the default run
def test_evaluate_and_cross_validate(model: TextClassifier) -> None:
    result = evaluate_model(model, _table())
    assert result["labels"]["hate_speech"]["f1"] == 1.0
    assert result["labels"]["disaster"]["support"] == 3 * len(NAMES)
    cv = cross_validate(_table(), 3, TrainConfig(features=SMALL))
    assert cv["labels"]["hate_speech"]["f1"] > 0.9 and len(cv["fold_f1"]["hate_speech"]) == 3


def test_a_constant_scorer_would_fail_these_metrics(model: TextClassifier) -> None:
    table = _table()
    always = np.ones(len(table.texts), dtype=bool)
    from damai.understand.evaluate import label_metrics

    metrics = label_metrics(table.y[:, 0].astype(np.int64), always, 0.5)
    assert metrics["f1"] < 0.6 < evaluate_model(model, table)["labels"]["hate_speech"]["f1"]


def test_unknown_labels_are_not_negatives() -> None:
    a = Table(["x a", "y a"], ["hate_speech"], np.asarray([[1.0], [0.0]]), ["a", "a"])
    b = Table(["z b"], ["disaster"], np.asarray([[1.0]]), ["b"])
    both = combine([a, b])
    assert both.labels == ["hate_speech", "disaster"]
    assert np.isnan(both.y[2, 0]) and np.isnan(both.y[0, 1])


def test_save_load_round_trip(model: TextClassifier, tmp_path: Path) -> None:
    model.save(tmp_path / "m")
    loaded = TextClassifier.load(tmp_path / "m")
    texts = ["dasar goblok", "banjir di kampung", "selamat pagi"]
    assert np.allclose(loaded.scores(texts), model.scores(texts), atol=2e-3)
    assert loaded.version == model.version


def test_missing_or_corrupt_model_dir(model: TextClassifier, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a Damai model"):
        TextClassifier.load(tmp_path / "nothing")
    model.save(tmp_path / "m")
    (tmp_path / "m" / "weights.npz").write_bytes(b"rusak")
    with pytest.raises(InputError, match="damaged"):
        TextClassifier.load(tmp_path / "m")
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    (tmp_path / "m" / "model.json").write_text(json.dumps({**meta, "format": 99}))
    with pytest.raises(InputError):
        TextClassifier.load(tmp_path / "m")


def test_label_specs_and_csv_errors(tmp_path: Path) -> None:
    specs = parse_labels("hate_speech=Label:HS,abusive=Abusive")
    assert (specs[0].column, specs[0].value, specs[1].value) == ("Label", "HS", None)
    with pytest.raises(InputError, match="NAME=COLUMN"):
        parse_labels("hate_speech")
    path = tmp_path / "d.csv"
    path.write_text("teks,HS\nhalo,1\ndadah,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"'Tweet'.*the file has 'teks', 'HS'"):
        read_table(path, "Tweet", parse_labels("hate_speech=HS"))
    with pytest.raises(InputError, match=r"d\.csv:3: column 'HS' holds '2', not 0 or 1"):
        read_table(path, "teks", parse_labels("hate_speech=HS"))
    table = read_table(path, "teks", parse_labels("hate_speech=HS:2"))
    assert table.y[:, 0].tolist() == [0.0, 1.0]
    table = read_table(path, "teks", parse_labels("disaster=0,hate_speech=HS:1"))
    assert table.y.tolist() == [[0.0, 1.0], [0.0, 0.0]]


def test_latin1_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("Tweet,HS\nkafé itu bagus,0\n".encode("latin-1"))
    assert read_table(path, "Tweet", parse_labels("hs=HS")).texts == ["kafé itu bagus"]


def test_too_few_examples_is_a_clear_error() -> None:
    table = Table(["a", "b"], ["hs"], np.asarray([[1.0], [0.0]]), ["x", "x"])
    with pytest.raises(InputError, match="at least 8 of each"):
        train_classifier(table, TrainConfig(features=SMALL))


def test_featurizer_is_deterministic_and_sparse() -> None:
    first = Featurizer(SMALL)
    first.fit_idf(["halo dunia", "dunia damai"])
    second = Featurizer(SMALL, first.idf)
    a = first.transform(["halo dunia damai"])
    b = second.transform(["halo dunia damai"])
    assert (a != b).nnz == 0 and a.nnz > 10


def test_explanations_skip_punctuation_and_masks(model: TextClassifier) -> None:
    """Commas only appear in the fixture's hateful rows, so they carry weight; an analyst still
    reads words, numbers and emoji as reasons, never bare punctuation or a ``_num_`` mask."""
    [clean] = model.normalise(["goblok, tolol, bego 123 😡"])
    terms = model.explain(clean, "hate_speech", k=50)
    assert {"goblok", "tolol"} <= {t for t, _ in terms}
    tokens = [token for term, _ in terms for token in term.split(" ")]
    assert all(any(c.isalnum() for c in token) or not token.isascii() for token in tokens)
    assert not any(token.startswith("_") for token in tokens)


def test_ensemble_folds_into_one_linear_model() -> None:
    """The folded weights score exactly the sum of the members' standardised decisions."""
    table = _table()
    featurizer = Featurizer(SMALL)
    featurizer.fit_idf(table.texts)
    x = featurizer.transform(table.texts)
    y = table.y[:, 0].astype(np.int64)
    config = TrainConfig(features=SMALL)
    scales = [(0.3, 2.0), (-0.5, 0.7)]
    weights, bias = model_module._fit_linear(x, y, ["nb_lr", "svm"], config, scales)
    expected = np.zeros(x.shape[0])
    for name, (mean, spread) in zip(["nb_lr", "svm"], scales, strict=True):
        w, b = model_module.MEMBERS[name](x, y, config)
        expected += (x @ w + b - mean) / spread
    np.testing.assert_allclose(x @ weights + bias, expected, rtol=1e-6, atol=1e-6)


def test_each_label_keeps_a_subset_of_the_candidate_members(model: TextClassifier) -> None:
    candidates = TrainConfig().members
    assert set(model.meta["ensemble"]) == set(model.labels)
    for chosen in model.meta["ensemble"].values():
        assert chosen and set(chosen) <= set(candidates)
    single = train_classifier(_table(), TrainConfig(features=SMALL, members=("svm",)))
    assert single.meta["ensemble"] == {n: ["svm"] for n in single.labels}
    assert single.predict(["dasar goblok tolol kamu"])[0].flags == ["hate_speech"]
