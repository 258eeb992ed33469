"""The words of the reports, Indonesian first and English second: one ``(id, en)`` pair per key,
for the HTML and the PDF alike (:func:`say`)."""

from __future__ import annotations

from typing import Final

__all__ = ["SANTA_CLARA", "TEXT", "say"]

TEXT: Final[dict[str, tuple[str, str]]] = {
    "weekly.title": ("Laporan mingguan Damai", "Damai weekly report"),
    "transparency.title": ("Laporan transparansi Damai", "Damai transparency report"),
    "period": ("Periode", "Period"),
    "generated": ("Dibuat", "Generated"),
    "no_data": ("Tidak ada data pada periode ini.", "No data in this period."),
    "utc": ("Semua waktu dalam UTC; hari terakhir ikut dihitung.",
            "All times in UTC; the last day is included."),
    "posts": ("Post yang masuk", "Posts received"),
    "posts.n": ("Post", "Posts"),
    "volume": ("Volume per label", "Volume by label"),
    "volume.help": ("Post yang ditandai per label pada periode ini (satu post bisa punya beberapa "
                    "label).", "Posts flagged per label in the period (a post can carry several "
                    "labels)."),
    "volume.daily": ("Volume per hari", "Volume per day"),
    "narratives": ("Narasi teratas", "Top narratives"),
    "narratives.help": ("Narasi dengan post terbanyak pada periode ini.",
                        "The narratives with the most posts in the period."),
    "responses": ("Respons", "Responses"),
    "proposed": ("Diusulkan", "Proposed"),
    "approved": ("Disetujui", "Approved"),
    "rejected": ("Ditolak", "Rejected"),
    "published": ("Diterbitkan", "Published"),
    "published.help": ("Publikasi yang terkirim per kanal pada periode ini.",
                       "Publications sent per channel in the period."),
    "coverage": ("Cakupan", "Coverage"),
    "coverage.help": ("Bagian post berbahaya yang ditandai pada periode ini dan sudah punya "
                      "respons yang disetujui.", "Share of the harmful posts flagged in the "
                      "period that have an approved response."),
    "covered": ("dijawab", "answered"),
    "flagged": ("Ditandai", "Flagged"),
    "ttr": ("Waktu merespons", "Time to respond"),
    "ttr.help": ("Median jam dari post disimpan (dan ditandai) sampai responsnya disetujui dan "
                 "sampai diterbitkan.", "Median hours from storing (and flagging) a post to the "
                 "approval of its response, and to its publication."),
    "ttr.approval": ("Sampai disetujui (jam)", "To approval (hours)"),
    "ttr.publication": ("Sampai diterbitkan (jam)", "To publication (hours)"),
    "none": ("belum ada", "none yet"),
    "label": ("Label", "Label"),
    "channel": ("Kanal", "Channel"),
    "count": ("Jumlah", "Count"),
    "confirmed": ("Dikonfirmasi analis", "Confirmed by analysts"),
    "dismissed": ("Ditolak analis", "Dismissed by analysts"),
    "flags": ("Apa yang ditandai", "What was flagged"),
    "flags.help": ("Post yang ditandai model per label, dan berapa yang kemudian dinilai analis: "
                   "dikonfirmasi (label memang cocok) atau ditolak (label keliru). Sisanya belum "
                   "dinilai.", "Posts the model flagged per label, and how many analysts then "
                   "judged: confirmed (the label fits) or dismissed (the label was wrong). The "
                   "rest were not judged."),
    "responses.help": ("Respons yang diusulkan pada periode ini, dan yang disetujui atau ditolak "
                       "manusia. Damai tidak pernah membalas otomatis.",
                       "Responses proposed in the period, and those a person approved or "
                       "rejected. Damai never replies automatically."),
    "alerts": ("Peringatan yang diterbitkan", "Alerts published"),
    "alerts.help": ("Peringatan bencana yang terkirim ke setidaknya satu kanal.",
                    "Disaster alerts sent to at least one channel."),
    "small": ("Angka kecil disamarkan: jumlah 1 sampai {n1} ditulis \"< {n}\", dan total yang "
              "memuat angka tersamar ditulis sebagai rentang (mis. 7–10), supaya angka tidak "
              "menunjuk ke orang tertentu.", "Small numbers are masked: a count from 1 to {n1} is "
              "shown as \"< {n}\", and a total that holds a masked count is shown as a range "
              "(e.g. 7–10), so no number points at a person."),
    "aggregates": ("Laporan ini hanya berisi angka agregat: tanpa teks post, tanpa akun, tanpa "
                   "nama pengguna.", "This report holds aggregates only: no post texts, no "
                   "accounts, no user names."),
    "santa_clara": ("Prinsip Santa Clara", "The Santa Clara Principles"),
    "santa_clara.help": ("Apa yang Damai lakukan dan tidak lakukan untuk tiap prinsip "
                         "operasional.", "What Damai does and does not do for each operational "
                         "principle."),
    "principle": ("Prinsip", "Principle"),
    "what_damai_does": ("Yang Damai lakukan", "What Damai does"),
}

#: what Damai does and does not do for each operational principle, said plainly
SANTA_CLARA: Final[tuple[tuple[tuple[str, str], tuple[str, str]], ...]] = (
    (("Angka (Numbers)", "Numbers"),
     ("Laporan ini menerbitkan jumlah yang ditandai, dinilai dan diterbitkan per label dan per "
      "kanal. Damai tidak menghapus konten dan tidak menangguhkan akun, jadi tidak ada angka "
      "penghapusan; permintaan dari pemerintah tidak dicatat oleh Damai.",
      "This report publishes what was flagged, judged and published, per label and per channel. "
      "Damai removes no content and suspends no account, so there are no removal numbers; Damai "
      "does not record requests from governments.")),
    (("Pemberitahuan (Notice)", "Notice"),
     ("Damai tidak memberi tahu penulis post yang ditandai: penandaan hanya untuk analis, dan "
      "penulis disamarkan (pseudonim). Respons yang diterbitkan adalah pesan publik, bukan balasan "
      "otomatis ke penulis.",
      "Damai does not notify the authors of flagged posts: a flag is for analysts only, and "
      "authors are pseudonymised. A published response is a public message, not an automatic "
      "reply to the author.")),
    (("Banding (Appeal)", "Appeal"),
     ("Damai tidak punya proses banding sendiri. Setiap tanda dinilai ulang oleh manusia sebelum "
      "ada tindakan, dan orang dapat meminta operator menghapus post mereka (damai erase). Kontak "
      "untuk permintaan itu diumumkan oleh organisasi yang menjalankan Damai.",
      "Damai has no appeal process of its own. A person reviews every flag before anything is "
      "done, and people can ask the operator to erase their posts (damai erase). The "
      "organisation that runs Damai publishes the contact for such requests.")),
)


def say(key: str, lang: str, **values: object) -> str:
    """The text of ``key`` in ``lang`` (``id`` or ``en``)."""
    text = TEXT[key][0 if lang == "id" else 1]
    return text.format(**values) if values else text
