"""Issue #13 part 7: the post-disaster hoax patterns. Every text here was written for these tests:
hoaxes of each family, the same claims debunked, and ordinary posts after a disaster."""

from __future__ import annotations

import pytest

from damai.understand.hoax_patterns import load_patterns, normalise, parse_patterns, scan

#: (text, the family it must match)
HOAXES: list[tuple[str, str]] = [
    ("Info dari grup RT: gempa susulan jam 9 malam, lebih besar dari tadi siang. Siap-siap!",
     "ramalan"),
    ("gempa susulan jam 21.00 nanti, tolong kabari keluarga", "ramalan"),
    ("TSUNAMI BESAR BESOK PAGI, warga pesisir Sukabumi segera mengungsi!!", "ramalan"),
    ("BMKG memprediksi gempa 7,2 akan mengguncang Cianjur", "ramalan"),
    ("Katanya air laut naik pukul 03.00, jangan tidur dulu", "ramalan"),
    ("Gempaaa lebih besar bakal datang dalam 3 jam ke depan, sebarkan", "ramalan"),
    ("Ini bukan hoax!! gempa susulan bsk pagi jam 5", "ramalan"),
    ("Bantu korban gempa Cianjur, transfer donasi ke rek BCA 1234567890 a.n. Budi Santoso",
     "donasi_pribadi"),
    ("Open donasi untuk pengungsi, DANA 0812-3456-7890 (Ibu Sari)", "donasi_pribadi"),
    ("Yuk salurkan sumbangan lewat no rek BRI 0123 01 000123 50 5 atas nama pribadi saya",
     "donasi_pribadi"),
    ("Sedekah untuk korban banjir bisa ke OVO 085712345678 ya", "donasi_pribadi"),
    ("VIDEO TERBARU detik-detik tsunami menerjang pantai, sebarkan!!", "media_lama"),
    ("Foto terkini jembatan putus hari ini, ngeri banget, share ke grup", "media_lama"),
    ("Rekaman CCTV detik detik gempa merobohkan masjid", "media_lama"),
]

#: hoax claims answered: no flag
DEBUNKS: list[str] = [
    "Hoaks! Tidak ada tsunami susulan. Gempa tidak bisa diprediksi.",
    "Pesan berantai soal gempa susulan jam 9 malam itu tidak benar, abaikan saja",
    "Jangan percaya kabar tsunami besar besok pagi, cek info resmi BMKG",
    "BMKG tidak pernah memprediksi gempa jam sekian. Itu HOAX",
    "Waspada penipuan! Donasi ke rek BCA 1234567890 bukan rekening resmi",
    "Video detik-detik tsunami yang beredar itu video lama dari 2018",
    "Klarifikasi: foto terbaru jembatan putus yang viral hari ini bukan dari Cianjur",
    "Cek fakta: BMKG meramalkan gempa 7,2? Salah.",
]

#: what people write after a disaster: reports, calls for help, advice, official news
EVERYDAY: list[str] = [
    "Gempa barusan terasa kencang banget di Cianjur, semua keluar rumah",
    "Gempa M5,6 terjadi pukul 13.21 WIB, pusat di darat 10 km barat laut Cianjur",
    "Gempa susulan tadi jam 9 malam terasa cukup kuat, anak-anak masih takut",
    "Gempa susulan tercatat pukul 14.05 WIB dengan magnitudo 4,1",
    "BMKG mengimbau warga tetap waspada terhadap kemungkinan gempa susulan",
    "Tidak berpotensi tsunami. Warga diminta menjauhi bangunan yang retak",
    "Tolong! Kami masih tertahan di rumah yang roboh di Desa Cijedil, butuh tenda",
    "Posko pengungsian di lapangan desa butuh selimut, susu bayi, dan obat-obatan",
    "Salurkan donasi melalui BAZNAS atau PMI, jangan ke rekening yang tidak jelas",
    "Donasi bisa lewat rekening resmi a.n. Yayasan Peduli Bencana, BSI 7001234567",
    "Foto: relawan membagikan makanan di posko pengungsian Cugenang",
    "Besok pagi kami kirim logistik ke Cianjur, siapa yang mau ikut jadi relawan?",
    "Hujan deras besok sore, BMKG minta warga waspada banjir dan longsor",
    "Jalur Puncak macet karena longsor, cari jalan lain dulu",
    "Terima kasih tim SAR yang bekerja tanpa henti sejak tadi malam",
    "Jam 8 malam nanti ada doa bersama untuk korban gempa di masjid kampung",
    "Alhamdulillah keluarga kami selamat, rumah hanya retak sedikit",
    "Video lengkap konferensi pers BNPB bisa ditonton di kanal YouTube resmi",
    "Pemadaman listrik di sebagian Sukabumi, PLN sedang memperbaiki jaringan",
    "Mohon doanya untuk saudara kita yang terdampak gempa hari ini",
]


@pytest.mark.parametrize(("text", "family"), HOAXES)
def test_each_hoax_matches_its_family(text: str, family: str) -> None:
    found = scan(text)
    assert found.flagged, found
    assert family in [h.family.id for h in found.hits]
    assert all(h.evidence for h in found.hits)


@pytest.mark.parametrize("text", DEBUNKS)
def test_a_debunk_is_not_flagged(text: str) -> None:
    found = scan(text)
    assert not found.flagged and found.debunk is not None


def test_a_debunk_keeps_what_it_answers() -> None:
    found = scan("Hoaks! Tidak ada tsunami susulan besok pagi.")
    assert [h.family.id for h in found.hits] == ["ramalan"] and found.debunk == "hoaks"


@pytest.mark.parametrize("text", EVERYDAY)
def test_an_everyday_disaster_post_is_not_flagged(text: str) -> None:
    found = scan(text)
    assert not found.flagged, [(h.family.id, h.rule, h.evidence) for h in found.hits]


def test_every_family_has_a_name_and_a_correction_in_both_languages() -> None:
    families = load_patterns().families
    assert [f.id for f in families] == ["ramalan", "donasi_pribadi", "media_lama"]
    for family in families:
        for text in (*family.name, *family.correction):
            assert text and "  " not in text and "\n" not in text
        assert family.correction[0] != family.correction[1]


def test_normalising_shortens_elongations_and_reads_informal_words() -> None:
    assert normalise("TSUNAMIII   bsk\npagi, gak HOAX") == "tsunami besok pagi, tidak hoaks"
    assert normalise("gakpapa, ga-ga") == "gakpapa, tidak-tidak"  # whole words only


@pytest.mark.parametrize(("raw", "message"), [
    ({"families": [{"id": "x", "name": {"id": "a", "en": "b"}, "correction": {"id": "c"},
                    "rules": [{"name": "r", "all": [["a"]]}]}]}, "correction"),
    ({"families": [{"id": "x", "name": {"id": "a", "en": "b"},
                    "correction": {"id": "c", "en": "d"},
                    "rules": [{"name": "r", "all": [["$nothing"]]}]}]}, "unknown word list"),
])
def test_a_broken_pattern_file_is_refused_with_its_place(raw: dict[str, object],
                                                         message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_patterns(raw)
