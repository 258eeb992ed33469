"""Language identification: py3langid plus the marker-word rules for short Indonesian posts."""

from __future__ import annotations

import pytest

from damai.understand import language
from damai.understand.language import LANGUAGES, detect_batch, detect_language


def test_exports_exist() -> None:
    for name in language.__all__:
        assert hasattr(language, name), name


@pytest.mark.parametrize(("text", "expected"), [
    ("Pemerintah mengimbau warga agar tidak menyebarkan berita bohong yang belum jelas "
     "sumbernya.", "id"),
    ("Gempa bumi mengguncang Palu, warga mengungsi ke tempat yang lebih tinggi", "id"),
    ("Kami akan berjuang sampai titik darah penghabisan", "id"),
    ("The government announced new measures today to curb inflation.", "en"),
    ("I love this song so much, thank you for sharing it with me", "en"),
    ("aku arep mangan sego", "jv"),
    ("kowe ora ngerti opo-opo", "jv"),
    ("saya tidak faham apa yang awak cakap", "ms"),
    ("Kerajaan akan memberi bantuan kepada rakyat yang terjejas kerana banjir", "ms"),
    ("Ik heb geen idee wat je bedoelt met dat verhaal", "other"),
    ("الحمد لله رب العالمين", "other"),
    ("urang teh keur naon atuh", "other"),
])
def test_clear_texts(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", [
    "gak tau ah",
    "wkwk anjir",
    "yg bener aja lu",
    "bangsad ya",
    "emg gembel",
    "sabar dulu gan",
])
def test_short_slangy_indonesian_is_indonesian(text: str) -> None:
    assert detect_language(text) == "id"


@pytest.mark.parametrize("text", [
    "", "   ", "😂😂😂", "🙏", "ok", "!!!", "12345", "USER USER URL", "RT USER: URL",
    "https://t.co/abc @budi", "\\xf0\\x9f\\x98\\x82",
])
def test_nothing_to_read_is_undetermined(text: str) -> None:
    assert detect_language(text) == "und"


def test_masks_links_and_handles_are_ignored() -> None:
    assert detect_language("USER USER yg bener aja lu URL") == "id"
    assert detect_language("@someone https://t.co/x this is a great day for all of us") == "en"


def test_batch_matches_single_calls() -> None:
    texts = ["aku arep mangan sego", "", "gak tau ah", "The weather is nice today, isn't it?",
             "😂", "saya tidak faham apa yang awak cakap", "Ini berita palsu, jangan disebar"]
    # 42 texts take the vectorised path, 7 the per-text one: both must agree
    assert detect_batch(texts * 6) == [detect_language(t) for t in texts] * 6
    assert set(detect_batch(texts)) <= set(LANGUAGES)


def test_vectorised_scores_equal_py3langid() -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    reference = LanguageIdentifier.from_model_file(MODEL_FILE)
    reference.set_languages(list(language.CANDIDATES))
    texts = ["pemerintah harus tegas", "aku arep mangan sego", "the quick brown fox",
             "ik weet het niet", "saya tidak faham apa yang awak cakap", "gak tau ah",
             "esto es una prueba", "mantap jiwa 😂 🇮🇩", "x" * 3000] * 3
    identifier = language._identifier()
    assert identifier.classify(texts) == [reference.classify(t[:2000])[0] for t in texts]


def test_a_very_long_text_completes() -> None:
    text = "Pemerintah harus tegas terhadap penyebar hoaks yang meresahkan warga. " * 1500
    assert detect_language(text) == "id"
    assert detect_batch([text] * 20) == ["id"] * 20
