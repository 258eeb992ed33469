"""Text normalisation: escapes, markup, masks, emoji, elongation, slang, reduplication."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from damai.understand import normalise as normalise_module
from damai.understand.normalise import (
    Normaliser,
    indonesian_words,
    normalise,
    read_slang_lexicon,
    segment_word,
)


def test_exports_exist() -> None:
    for name in normalise_module.__all__:
        assert hasattr(normalise_module, name), name


@pytest.mark.parametrize(("text", "expected"), [
    ("", ""),
    ("   \n\t ", ""),
    ("Halo Semua", "halo semua"),
    ("bangeeeet", "banget"),
    ("semangattt kakakkk", "semangat kakak"),
    ("wkwkwkwkwk", "wkwk"),
    ("hahahahah", "haha"),
    ("maaf saat ini Allah", "maaf saat ini allah"),
    ("Kenapa!!!!???", "kenapa ! ?"),
    ("gak", "tidak"),
    ("ga", "tidak"),
    ("nggak", "tidak"),
    ("yg", "yang"),
    ("bgt", "banget"),
    ("gpp kok", "tidak apa apa kok"),
    ("kalo", "kalau"),
    ("anak2", "anak anak"),
    ("anak-anak", "anak anak"),
    ("mudah2an", "mudah mudahan"),
    ("org2", "orang orang"),
])
def test_word_level(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_a_slangy_tweet_end_to_end() -> None:
    text = "RT @budi_s: Gak bangeeet deh!!! yg kyk gini tuh wkwkwkwk https://t.co/AbC123"
    assert normalise(text) == "_user_ : tidak banget deh ! yang kayak begini tuh wkwk _url_"


def test_literal_utf8_escapes_become_the_emoji() -> None:
    # ibrohim2019 stores "😂😂" as the text \xf0\x9f\x98\x82\xf0\x9f\x98\x82
    text = "USER lucu bgt \\xf0\\x9f\\x98\\x82\\xf0\\x9f\\x98\\x82 URL"
    assert normalise(text) == "_user_ lucu banget 😂 😂 _url_"


def test_undecodable_escapes_are_left_alone() -> None:
    out = normalise("oke \\xff\\xfe")
    assert "xff" in out and "xfe" in out
    assert out.startswith("oke")


def test_literal_newline_escapes_are_spaces() -> None:
    assert normalise("baris satu\\n\\nbaris dua") == "baris satu baris dua"


def test_mojibake_from_a_latin1_read_is_repaired() -> None:
    text = "lucu 😂".encode().decode("latin-1")
    assert normalise(text) == "lucu 😂"


def test_html_entities_are_unescaped() -> None:
    assert normalise("kamu &amp; aku &gt; mereka &quot;katanya&quot;") == \
        'kamu & aku > mereka " katanya "'


def test_kaskus_markup_is_stripped_and_inner_text_kept() -> None:
    text = ("[QUOTE=agan budi;5a7e1c]Pemerintah harus tegas[/QUOTE]\n"
            "[B]Setuju[/B] gan, [url=http://contoh.co.id/a]baca ini[/url] "
            "[img]https://s.kaskus.id/gambar.jpg[/img] [color=red][size=4]merah[/size][/color]")
    assert normalise(text) == \
        "pemerintah harus tegas setuju gan , baca ini _url_ merah"


def test_brackets_that_are_not_markup_stay() -> None:
    assert normalise("[BREAKING] gempa") == "[ breaking ] gempa"


def test_links_handles_and_dataset_masks() -> None:
    assert normalise("cek www.contoh.com dan bit.ly/abc ya @Andi") == \
        "cek _url_ dan _url_ ya _user_"
    assert normalise("USER USER kata URL") == "_user_ _user_ kata _url_"
    assert normalise("user: halo") == "_user_ : halo"


def test_rt_is_dropped_only_at_the_start() -> None:
    assert normalise("RT USER: ketua RT 05") == "_user_ : ketua rt _num_"


def test_numbers_are_masked_but_digits_in_words_kept() -> None:
    assert normalise("harga 1.000.000 jam 20:00 tahun 2019") == \
        "harga _num_ jam _num_ tahun _num_"
    assert normalise("2x covid19 g20") == "2x covid19 g20"
    assert normalise("aksi 212 dan 411") == "aksi 212 dan 411"


def test_emoji_are_separate_tokens() -> None:
    assert normalise("😂😂") == "😂 😂"
    assert normalise("mantap😂👍🏽") == "mantap 😂 👍"
    assert normalise("❤️ indonesia 🇮🇩") == "❤ indonesia 🇮🇩"


def test_emoji_only_text() -> None:
    assert normalise("🙏🙏🙏") == "🙏 🙏 🙏"


def test_hashtags_keep_the_word() -> None:
    assert normalise("#TolakHoax sekarang") == "tolakhoax sekarang"


def test_hashtag_segmentation_is_optional() -> None:
    seg = Normaliser(segment_hashtags=True)
    assert seg.normalise("#gakjelas") == "gakjelas tidak jelas"
    assert seg.normalise("#2019GakJelas") == "2019gakjelas _num_ tidak jelas"
    assert Normaliser().normalise("#gakjelas") == "gakjelas"


def test_segment_word() -> None:
    vocabulary = frozenset({"ganti", "presiden", "tolak", "hoaks"})
    assert segment_word("2019gantipresiden", vocabulary) == ["2019", "ganti", "presiden"]
    assert segment_word("tolakhoaks", vocabulary) == ["tolak", "hoaks"]
    assert segment_word("jokowiturun", vocabulary) == []  # two unknown runs: no split
    assert segment_word("presiden", vocabulary) == []  # one piece is not a split


def test_fancy_unicode_and_arabic_diacritics() -> None:
    assert normalise("𝐁𝐨𝐥𝐝 ｆｕｌｌ “kutip”") == 'bold full " kutip "'
    assert normalise("بِسْمِ اللَّهِ") == "بسم الله"


def test_zero_width_characters_are_removed() -> None:
    assert normalise("ka\u200bfir") == "kafir"


def test_apostrophes_inside_words() -> None:
    assert normalise("al-qur'an jum'at") == "al quran jumat"


def test_slang_can_be_switched_off() -> None:
    plain = Normaliser(slang=False)
    assert plain.normalise("gak yg bgt") == "gak yg bgt"
    assert plain.normalise("USER") == "_user_"


def test_extra_slang_overrides_and_is_not_pickled() -> None:
    n = Normaliser(extra_slang={"bgtz": "banget", "yg": "yang tersebut"})
    assert n.normalise("bgtz yg") == "banget yang tersebut"
    assert n.to_config() == {"slang": True, "segment_hashtags": False, "mask_names": False}
    restored = pickle.loads(pickle.dumps(n))
    assert restored.extra_slang is None
    assert restored.normalise("bgtz yg") == "bgtz yang"


def test_issue_9_person_names_are_masked_only_when_asked() -> None:
    masked = Normaliser(mask_names=True)
    assert masked.normalise("Pak Jokowi ketemu Ridwan Kamil dan Budi") == (
        "pak _tokoh_ ketemu _tokoh_ dan _tokoh_")
    assert masked.normalise("kamil kumpul di rahmat") == "kamil kumpul di rahmat"
    assert Normaliser().normalise("Pak Jokowi ketemu Budi") == "pak jokowi ketemu budi"
    restored = pickle.loads(pickle.dumps(masked))
    assert restored.mask_names and restored.normalise("budi") == "_tokoh_"
    assert Normaliser.from_config(masked.to_config()) == masked
    assert Normaliser.from_config(None) == Normaliser()


def test_extra_slang_cannot_override_masks() -> None:
    n = Normaliser(extra_slang={"user": "pengguna"})
    assert n.normalise("USER") == "_user_"


def test_read_slang_lexicon(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.csv"
    path.write_bytes(b"gmn,gimana\r\nsmpe,sampai\r\nrusak baris\r\nBKN ,bukan\r\n")
    assert read_slang_lexicon(path) == {"gmn": "gimana", "smpe": "sampai", "bkn": "bukan"}


def test_normalise_batch_matches_normalise() -> None:
    texts = ["Gak bangeeet", "", "😂😂", "anak2 &amp; org2", "Gak bangeeet"]
    n = Normaliser()
    assert n.normalise_batch(texts) == [normalise(t) for t in texts]


def test_results_do_not_depend_on_the_memo() -> None:
    text = "Gak bangeeet deh!!! yg kyk gini"
    first = Normaliser()
    expected = first.normalise(text)
    assert first.normalise(text) == expected  # served from the memo
    assert Normaliser().normalise(text) == expected  # a fresh one


def test_a_very_long_text_completes() -> None:
    line = "Gak bangeeet deh!!! yg kyk gini 😂😂 https://t.co/x @budi #Hoaks 1.000 "
    text = (line * 1500)[:100_000]
    out = Normaliser().normalise(text)
    assert out.startswith("tidak banget deh ! yang kayak begini 😂 😂 _url_ _user_ hoaks _num_")
    assert "  " not in out


def test_one_long_unbroken_run_completes() -> None:
    assert normalise("a" * 100_000) == "a"
    assert normalise("ha" * 50_000) == "haha"


@pytest.mark.parametrize("chunk", ["a.", "bit.", "1", "[quote=", "\\x", "&amp", "@", "ab2"])
def test_long_chunks_that_once_backtracked_complete(chunk: str) -> None:
    text = chunk * (100_000 // len(chunk))
    assert isinstance(Normaliser(segment_hashtags=True).normalise(text), str)


def test_output_is_whitespace_normalised() -> None:
    out = normalise("  satu \n\n dua\t\ttiga  - -- ")
    assert out == "satu dua tiga"


def test_indonesian_words_come_from_the_packaged_dictionary() -> None:
    words = indonesian_words()
    assert {"yang", "tidak", "banget", "sudah"} <= words
    assert all(len(w) > 1 and w.isalpha() for w in words)
