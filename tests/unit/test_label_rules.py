"""Issue #9: sub-label scores agree with their parent, exclusions hold, and ``damai evaluate``
reports the false-flag rate on a set with no positives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from damai.understand.data import Table, parse_labels, read_table
from damai.understand.evaluate import evaluate_model
from damai.understand.features import FeatureConfig
from damai.understand.model import TextClassifier, TrainConfig, train_classifier
from damai.understand.taxonomy import load_taxonomy

SMALL = FeatureConfig(word_bits=14, char_bits=14)
PLACES = ["cianjur", "garut", "palu", "lombok", "bantul", "sleman", "padang", "ambon",
          "malang", "sukabumi"]
# (text, disaster, warning_advice, hoax)
ROWS = [
    ("gempa guncang {}, warga berhamburan keluar rumah", 1, 0, 0),
    ("rumah roboh di {} setelah gempa kuat tadi pagi", 1, 0, 0),
    ("saat gempa di {} lindungi kepala dan jauhi kaca jendela", 1, 1, 0),
    ("warga {} siapkan tas siaga dan kenali jalur evakuasi gempa", 1, 1, 0),
    ("gempa susulan besar diprediksi besok malam di {} sebarkan segera", 1, 1, 1),
    ("ramalan gempa dahsyat jam sembilan malam di {} info orang dalam", 1, 1, 1),
    ("ngopi sore di {} sambil lihat hujan", 0, 0, 0),
    ("pasar {} ramai menjelang lebaran", 0, 0, 0),
    ("vaksin mengandung chip pelacak di {} sebarkan ke grup", 0, 0, 1),
    ("uang baru {} ada gambar terlarang kalau diterawang sebarkan", 0, 0, 1),
]


def _table() -> Table:
    texts, y = [], []
    for place in PLACES:
        for text, disaster, advice, hoax in ROWS:
            texts.append(text.format(place))
            y.append([disaster, advice if disaster else np.nan, hoax])
    return Table(texts, ["disaster", "disaster.info.warning_advice", "hoax"],
                 np.asarray(y, dtype=np.float64), ["t"] * len(texts))


@pytest.fixture(scope="module")
def model() -> TextClassifier:
    return train_classifier(_table(), TrainConfig(features=SMALL, min_examples=4))


def test_sub_labels_learn_conditionally_and_never_score_above_their_parent(
        model: TextClassifier) -> None:
    assert model.meta["conditional"] == ["disaster.info.warning_advice"]
    texts = ["ngopi pagi di bandung sambil baca buku", "saat gempa lindungi kepala di bogor",
             "pasar minggu ramai sekali"]
    scores = model.scores(texts)
    parent, sub = model.labels.index("disaster"), model.labels.index(
        "disaster.info.warning_advice")
    assert np.all(scores[:, sub] <= scores[:, parent] + 1e-9)
    everyday = model.predict(["ngopi pagi di bandung sambil baca buku"])[0]
    assert everyday.labels["disaster.info.warning_advice"] <= everyday.labels["disaster"]
    assert "disaster.info.warning_advice" not in everyday.flags


def test_a_disaster_prediction_is_a_hoax_not_safety_advice(model: TextClassifier) -> None:
    advice, prediction = model.predict([
        "saat gempa di bogor lindungi kepala dan jauhi kaca jendela",
        "gempa susulan besar diprediksi besok malam di bogor sebarkan segera"])
    assert advice.flags == ["disaster", "disaster.info.warning_advice"]
    assert "hoax" in prediction.flags
    assert "disaster.info.warning_advice" not in prediction.flags
    # nor is it shown as likely advice: the score is discounted by the hoax
    shown = prediction.labels["disaster.info.warning_advice"]
    assert shown <= prediction.labels["disaster"] * (1 - prediction.labels["hoax"]) + 1e-9
    assert shown < advice.labels["disaster.info.warning_advice"]


def test_an_old_model_without_conditional_sub_labels_is_capped(model: TextClassifier) -> None:
    meta = {**model.meta, "conditional": []}
    old = TextClassifier(meta, model.featurizer, model.weights, model.bias)
    raw = np.asarray([[0.09, 0.85, 0.1]])
    shown = old.reported(raw)
    # capped at the parent (0.09), then discounted by the chance of a hoax (0.1)
    assert shown[0, old.labels.index("disaster.info.warning_advice")] == pytest.approx(0.09 * 0.9)


def test_signal_labels_rank_but_never_flag(model: TextClassifier) -> None:
    meta = {**model.meta, "taxonomy": {"labels": {"hoax": {"kind": "signal"}}}}
    signal = TextClassifier(meta, model.featurizer, model.weights, model.bias)
    [p] = signal.predict(["vaksin mengandung chip pelacak di bogor sebarkan ke grup"])
    assert "hoax" not in p.flags and p.signals == ["hoax"]
    assert p.labels["hoax"] > 0.5


def test_evaluate_reports_the_flag_rate_on_a_set_without_positives(
        model: TextClassifier) -> None:
    texts = ["ngopi sore di bogor sambil lihat hujan", "pasar depok ramai menjelang lebaran",
             "vaksin mengandung chip pelacak di depok sebarkan ke grup"]
    table = Table(texts, ["hoax", "disaster"], np.zeros((3, 2)), ["e"] * 3)
    result = evaluate_model(model, table)
    assert result["labels"]["hoax"]["flag_rate"] == pytest.approx(1 / 3, abs=1e-3)
    assert result["labels"]["hoax"]["f1"] == 0.0
    assert result["labels"]["disaster"]["flag_rate"] == 0.0
    assert result["any_flag_rate"] == pytest.approx(1 / 3, abs=1e-3)
    assert result["labels"]["hoax"]["kind"] == "harm"


def test_bundled_taxonomy_kinds() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy.is_harmful("hate_speech.target.group")
    assert taxonomy.kind("disaster.type.flood") == "info"
    assert taxonomy.name("radicalism") == "Radikalisme"
    assert taxonomy.name("radicalism", "en") == "Radicalism"
    assert "hoax" in taxonomy.exclusions["disaster.info.warning_advice"]


def test_jsonl_and_empty_cells_are_unknown_not_negative(tmp_path: Path) -> None:
    jsonl = tmp_path / "koreksi.jsonl"
    jsonl.write_text('{"text": "a =1+1", "hoax": 1}\n\n{"text": "b", "hoax": 0, "sara": 1}\n'
                     '{"text": "c", "hoax": null}\n', encoding="utf-8")
    table = read_table(jsonl, "text", parse_labels("hoax=hoax,sara=sara"))
    assert table.texts == ["a =1+1", "b", "c"]
    assert table.y[1].tolist() == [0.0, 1.0]
    assert np.isnan(table.y[0, 1]) and np.isnan(table.y[2, 0])
    csv_path = tmp_path / "k.csv"
    csv_path.write_text("text,hoax\nx,1\ny,\n", encoding="utf-8")
    table = read_table(csv_path, "text", parse_labels("hoax=hoax"))
    assert table.y[0, 0] == 1.0 and np.isnan(table.y[1, 0])


def test_models_that_decide_differently_never_share_a_version() -> None:
    from damai.understand.model import model_digest

    weights = np.ones((4, 2), dtype=np.float32)
    platt = {"a": [1.0, 0.0], "b": [1.0, 0.0]}
    same = model_digest(weights, {"a": 0.5, "b": 0.5}, platt)
    assert same == model_digest(weights.copy(), {"b": 0.5, "a": 0.5}, dict(platt))
    assert same != model_digest(weights, {"a": 0.5, "b": 0.6}, platt)
    assert same != model_digest(weights, {"a": 0.5, "b": 0.5}, {**platt, "b": [2.0, 0.0]})
    assert same != model_digest(weights * 2, {"a": 0.5, "b": 0.5}, platt)
