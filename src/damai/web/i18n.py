"""The dashboard's message catalogue: every text a page shows, in Indonesian and English.

Indonesian is the default; the ``damai_lang`` cookie (set by ``/lang``) switches to English.
Templates call ``t("key")``; a test checks that every key they use is here, in both languages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from damai.web.i18n_account import ACCOUNT_MESSAGES
from damai.web.i18n_ambassadors import AMBASSADOR_MESSAGES
from damai.web.i18n_campaigns import CAMPAIGN_MESSAGES
from damai.web.i18n_drilldown import DRILLDOWN_MESSAGES
from damai.web.i18n_events import EVENT_MESSAGES
from damai.web.i18n_hoaxwatch import HOAXWATCH_MESSAGES
from damai.web.i18n_map import MAP_MESSAGES
from damai.web.i18n_measure import MEASURE_MESSAGES
from damai.web.i18n_narratives import NARRATIVE_MESSAGES
from damai.web.i18n_reports import REPORTS_MESSAGES
from damai.web.i18n_triage import TRIAGE_MESSAGES
from damai.web.i18n_watchlists import WATCHLIST_MESSAGES

__all__ = ["DEFAULT_LANG", "LANGS", "LANG_COOKIE", "MESSAGES", "translator"]

LANG_COOKIE: Final = "damai_lang"
LANGS: Final[tuple[str, ...]] = ("id", "en")
DEFAULT_LANG: Final = "id"

#: key → (Indonesian, English)
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "app.tagline": ("Pusat kendali narasi damai", "Peace narrative command center"),
    "lang.switch": ("English", "Bahasa Indonesia"),
    "nav.overview": ("Ringkasan", "Overview"),
    "nav.posts": ("Post", "Posts"),
    "nav.triage": ("Antrean triase", "Triage queue"),
    "nav.teach": ("Bantu model", "Teach the model"),
    "nav.model": ("Model", "Model"),
    "nav.library": ("Pustaka narasi", "Library"),
    "nav.claims": ("Cek fakta", "Fact checks"),
    "nav.responses": ("Antrean tanggapan", "Response queue"),
    "nav.outbox": ("Kotak keluar", "Outbox"),
    "nav.users": ("Pengguna", "Users"),
    "nav.audit": ("Log audit", "Audit log"),
    "nav.logout": ("Keluar", "Log out"),
    "nav.signed_in_as": ("Masuk sebagai", "Signed in as"),
    # login
    "login.title": ("Masuk ke Damai", "Log in to Damai"),
    "login.name": ("Nama pengguna", "User name"),
    "login.password": ("Kata sandi", "Password"),
    "login.submit": ("Masuk", "Log in"),
    "login.failed": ("Nama pengguna atau kata sandi salah. Periksa lalu coba lagi.",
                     "Wrong user name or password. Check them and try again."),
    "login.limited": ("Terlalu banyak percobaan masuk. Tunggu satu menit lalu coba lagi.",
                      "Too many login attempts. Wait a minute, then try again."),
    "login.expired": ("Formulir kedaluwarsa. Muat ulang halaman lalu masuk lagi.",
                      "The form expired. Reload the page and log in again."),
    # errors
    "error.forbidden": ("Akses ditolak: peran Anda tidak mengizinkan halaman ini.",
                        "Access denied: your role does not allow this page."),
    "error.csrf": ("Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi.",
                   "The form expired or is invalid. Reload the page and try again."),
    "error.not_found": ("Tidak ditemukan.", "Not found."),
    "error.method": ("Metode permintaan tidak didukung di alamat ini.",
                     "The request method is not supported at this address."),
    "error.server": ("Terjadi kesalahan di server; sudah dicatat. Coba lagi nanti.",
                     "Server error; it was logged. Try again later."),
    "error.nul": ("Alamat berisi byte NUL (%00): hapus lalu coba lagi.",
                  "The address holds a NUL byte (%00): remove it and try again."),
    "error.too_large": ("Isi permintaan terlalu besar: kirim lebih sedikit lalu coba lagi.",
                        "The request body is too large: send less and try again."),
    # overview
    "overview.title": ("Ringkasan", "Overview"),
    "overview.total": ("post tersimpan", "posts stored"),
    "overview.flagged": ("post ditandai", "flagged posts"),
    "overview.volume": ("Volume per label per hari (post ditandai)",
                        "Volume per label per day (flagged posts)"),
    "overview.hashtags": ("Tagar teratas di post ditandai", "Top hashtags in flagged posts"),
    "overview.links": ("Tautan teratas di post ditandai", "Top links in flagged posts"),
    "overview.domains": ("Domain teratas di post ditandai", "Top domains in flagged posts"),
    "overview.sample": ("dari {n} post ditandai terbaru", "among the {n} newest flagged posts"),
    "overview.platforms": ("Per platform", "By platform"),
    "overview.languages": ("Per bahasa", "By language"),
    "overview.map": ("Post per provinsi", "Posts per province"),
    "overview.map_sample": ("dari {n} post terbaru yang punya lokasi",
                            "among the {n} newest posts with a place"),
    "overview.no_chart": ("Grafik memerlukan JavaScript; angkanya ada di tabel.",
                          "The chart needs JavaScript; the numbers are in the table."),
    "common.count": ("Jumlah", "Count"),
    "common.none": ("Belum ada data.", "No data yet."),
    "common.day": ("Hari", "Day"),
    "common.label": ("Label", "Label"),
    "common.province": ("Provinsi", "Province"),
    "common.platform": ("Platform", "Platform"),
    "common.language": ("Bahasa", "Language"),
    "common.time": ("Waktu (UTC)", "Time (UTC)"),
    "common.text": ("Teks", "Text"),
    "common.score": ("Skor", "Score"),
    "common.all": ("semua", "all"),
    "common.save": ("Simpan", "Save"),
    # posts
    "posts.title": ("Cari post", "Search posts"),
    "posts.query": ("Kata kunci", "Keywords"),
    "posts.min_score": ("Skor minimal", "Minimum score"),
    "posts.max_score": ("Skor maksimal", "Maximum score"),
    "posts.since": ("Sejak", "Since"),
    "posts.until": ("Sebelum", "Before"),
    "posts.search": ("Cari", "Search"),
    "posts.matches": ("{n} post cocok", "{n} matching posts"),
    "posts.next": ("Halaman berikutnya", "Next page"),
    "posts.first": ("Kembali ke halaman pertama", "Back to the first page"),
    "posts.flags": ("Ditandai", "Flagged"),
    "posts.bad_filter": ("Filter tidak sah: {reason}", "Invalid filter: {reason}"),
    # post detail
    "post.title": ("Rincian post", "Post detail"),
    "post.original": ("Buka post asli", "Open the original post"),
    "post.inert_link": ("Tautan asli bukan http/https, jadi tidak dibuat aktif",
                        "The original link is not http/https, so it is not made clickable"),
    "post.scores": ("Skor setiap label", "Score of every label"),
    "post.claim": ("Klaim yang diulang post ini", "The claim this post repeats"),
    "post.claim_suggestion": ("Usulan tanggapan (penjelasan cek fakta)",
                              "Suggested response (the fact-check's explanation)"),
    "post.claim_source": ("Buka sumber cek fakta", "Open the fact-check's source"),
    "claim.verdict.false": ("Salah", "False"),
    "claim.verdict.misleading": ("Menyesatkan", "Misleading"),
    "claim.verdict.true": ("Benar", "True"),
    "claim.verdict.unproven": ("Belum terbukti", "Unproven"),
    "post.threshold": ("Ambang", "Threshold"),
    "post.terms": ("Kata pemicu", "Terms that drove the flag"),
    "post.engagement": ("Interaksi", "Engagement"),
    "post.place": ("Lokasi", "Place"),
    "post.hashtags": ("Tagar", "Hashtags"),
    "post.links": ("Tautan dalam teks", "Links in the text"),
    "post.judge": ("Nilai setiap tanda", "Judge each flag"),
    "post.judge_explain": (
        "Benar atau salah untuk setiap tanda disimpan sebagai label manusia (dengan nama dan "
        "waktu) yang dipakai untuk melatih dan menguji model.",
        "Right or wrong for each flag is kept as a human label (with name and time) that "
        "teaches and tests the model."),
    # triage
    "triage.title": ("Antrean triase", "Triage queue"),
    "triage.explain": (
        "Post ditandai yang belum ditinjau, diurutkan menurut keparahan × jangkauan. "
        "Keparahan = skor tertinggi di antara label yang ditandai; jangkauan = 1 + ln(1 + "
        "suka + bagikan + balasan + kutipan). Nilai setiap tanda Benar atau Salah: setiap "
        "jawaban disimpan sebagai label yang melatih model.",
        "Flagged posts not yet reviewed, ranked by severity × reach. Severity = the highest "
        "score among the flagged labels; reach = 1 + ln(1 + likes + reposts + replies + quotes). "
        "Judge each flag Right or Wrong: every answer is kept as a label that teaches the model."),
    "triage.priority": ("Prioritas", "Priority"),
    "triage.severity": ("Keparahan", "Severity"),
    "triage.reach": ("Jangkauan", "Reach"),
    "triage.assignee": ("Ditugaskan ke", "Assigned to"),
    "triage.assign": ("Tugaskan", "Assign"),
    "triage.nobody": ("(belum ada)", "(nobody)"),
    "triage.review": ("Benar semua: tandai ditinjau", "All right: mark reviewed"),
    "triage.dismiss": ("Salah semua: tolak", "All wrong: dismiss as false positive"),
    "triage.yes": ("Benar", "Right"),
    "triage.no": ("Salah", "Wrong"),
    "triage.judged_yes": ("✓ benar", "✓ right"),
    "triage.judged_no": ("✗ salah", "✗ wrong"),
    "triage.empty": ("Antrean kosong. Tidak ada post ditandai yang menunggu.",
                     "The queue is empty. No flagged post is waiting."),
    "triage.done_reviewed": ("Sudah ditinjau; label disimpan untuk melatih model",
                             "Reviewed; labels kept to teach the model"),
    "triage.done_dismissed": ("Ditolak sebagai salah tanda; koreksi disimpan",
                              "Dismissed as a false positive; correction kept"),
    "triage.status": ("Status", "Status"),
    "triage.status.open": ("terbuka", "open"),
    "triage.status.reviewed": ("ditinjau", "reviewed"),
    "triage.status.dismissed": ("ditolak", "dismissed"),
    # teach the model (issue #9)
    "teach.title": ("Bantu model", "Teach the model"),
    "teach.explain": (
        "Post di bawah dipilih karena labelnya paling banyak mengajari model: yang skornya "
        "ragu, dan yang mungkin positif untuk label yang jarang. Jawab satu klik per label. "
        "Setiap jawaban disimpan dengan nama dan waktu Anda; post yang sudah dijawab keluar "
        "dari antrean.",
        "These posts were picked because their labels teach the model most: posts it is "
        "unsure of, and likely positives of rare labels. Answer in one click per label. Each "
        "answer is kept with your name and the time; answered posts leave the queue."),
    "teach.yes": ("Ya", "Yes"),
    "teach.no": ("Tidak", "No"),
    "teach.unknown": ("Tidak tahu", "Can't tell"),
    "teach.none": ("Tidak ada yang cocok", "None of these"),
    "teach.done": ("Terima kasih, jawaban tersimpan.", "Thank you, the answers are kept."),
    "teach.empty": ("Antrean kosong: semua post terbaru sudah diberi label.",
                    "The queue is empty: every recent post has a label."),
    "teach.all_labels": ("semua label berbahaya", "every harmful label"),
    "teach.focus": ("Tampilkan", "Show"),
    "teach.counts": ("Label yang sudah ada", "Labels so far"),
    "teach.to_model": ("Lihat mutu model dan kapan perlu label lagi",
                       "See the model's quality and when to label more"),
    # model
    "model.title": ("Model", "Model"),
    "model.version": ("Versi", "Version"),
    "model.thresholds": ("Ambang per label", "Threshold per label"),
    "model.metrics": ("Metrik terukur (data uji yang tidak dilatih)",
                      "Measured metrics (held-out data)"),
    "model.card": ("Kartu model", "Model card"),
    "model.card_explain": (
        "Kartu model ditulis oleh `damai train` dalam bahasa Inggris: cara model dibuat, data "
        "latih dan lisensinya, dan perintah pembuatnya. Angkanya ada di bagian Metrik terukur "
        "di atas, sekali saja.",
        "The model card is written by `damai train`: how the model was built, its training data "
        "and their licences, and the command that built it. Its figures are under Measured "
        "metrics above, once."),
    "model.card_open": ("Buka kartu model lengkap (bahasa Inggris)", "Open the full model card"),
    "model.metrics_explain": (
        "Tiap set uji dinilai dengan `damai evaluate` pada data yang tidak dipakai melatih. "
        "Presisi: dari yang ditandai, berapa yang benar. Recall: dari yang seharusnya ditandai, "
        "berapa yang tertangkap. n: jumlah contoh positif.",
        "Each test set is scored by `damai evaluate` on data the model never trained on. "
        "Precision: of what was flagged, how much was right. Recall: of what should have been "
        "flagged, how much was caught. n: the number of positive examples."),
    "model.command": ("Perintah", "Command"),
    "model.precision": ("Presisi", "Precision"),
    "model.recall": ("Recall", "Recall"),
    "model.false_flags": ("Post yang ditandai (tanda keliru)", "Posts flagged (false flags)"),
    "model.any_flag": ("Post dengan tanda berbahaya apa pun: {percent}% dari {rows}.",
                       "Posts with any harmful flag: {percent}% of {rows}."),
    "model.set": ("Data uji", "Test set"),
    "model.macro_f1": ("F1 makro", "Macro F1"),
    "model.in_service": ("Model yang bertugas", "Model in service"),
    "model.promoted_by": ("ditugaskan oleh", "promoted by"),
    "model.broken_notice": ("Versi ini tidak bisa dimuat, jadi ditandai rusak; layanan tetap "
                            "memakai model sebelumnya:",
                            "This version cannot load, so it is marked broken; the service "
                            "keeps the model before it:"),
    "model.evidence": ("Bukti: label uji instalasi ini", "Evidence: this installation's "
                       "held-out labels"),
    "model.evidence_explain": (
        "{percent}% label dari analis (dipilih dengan hash berkunci dari teks) tidak pernah "
        "dipakai untuk melatih kandidat buatan Damai; model yang bertugas dan kandidat dinilai "
        "pada {rows} post itu. "
        "Angka dalam kurung: interval 95% dari bootstrap (baris uji diambil ulang).",
        "{percent}% of the analysts' labels (chosen by a keyed hash of the text) never teach a "
        "candidate Damai builds; the model in service and the candidate are scored on those "
        "{rows} posts. In brackets: "
        "the 95% interval from a bootstrap (the held-out rows resampled)."),
    "model.heldout_n": ("n uji (+)", "held-out n (+)"),
    "model.candidate": ("Kandidat", "Candidate"),
    "model.candidate_broken": ("Kandidat tidak bisa dimuat:", "The candidate cannot load:"),
    "model.no_heldout": ("Belum ada label uji. Beri label di Bantu model.",
                         "No held-out labels yet. Label posts in Teach the model."),
    "model.no_evidence": (
        "Belum ada bukti: label uji belum menilai label yang dimiliki kedua model (perlu contoh "
        "positif dan negatif). Menugaskan kandidat ini perlu konfirmasi.",
        "No evidence yet: the held-out labels judge no label both models have (both classes "
        "are needed). Promoting this candidate needs a confirmation."),
    "model.worse": ("Kandidat lebih buruk dari model yang bertugas (F1 makro).",
                    "The candidate is worse than the model in service (macro F1)."),
    "model.not_worse": ("Kandidat setidaknya sama baik (F1 makro).",
                        "The candidate is at least as good (macro F1)."),
    "model.confirm_worse": ("Saya paham kandidat ini tidak terbukti lebih baik; tetap tugaskan.",
                            "I understand this candidate is not shown to be better; promote it "
                            "anyway."),
    "model.promote": ("Tugaskan kandidat", "Put the candidate in service"),
    "model.promote_explain": (
        "Dicatat di log audit beserta angkanya; semua post dinilai ulang di latar belakang.",
        "Audited with the figures; every stored post is re-scored in the background."),
    "model.labels": ("Label yang sudah ada, dan kapan perlu label lagi",
                     "Labels so far, and when to label more"),
    "model.rule": (
        "Aturan: beri label lagi bila sebuah label punya kurang dari {positives} contoh positif, "
        "atau interval 95% F1 model yang bertugas lebih lebar dari {width}. Adaptasi perlu "
        "minimal {min} positif dan {min} negatif di bagian latih.",
        "Rule: label more while a label has fewer than {positives} positives, or while the "
        "model in service's 95% F1 interval is wider than {width}. Adapting needs at least "
        "{min} positives and {min} negatives in the training part."),
    "model.heldout_part": ("uji (ya / tidak)", "held out (yes / no)"),
    "model.label_more": ("Beri label lagi", "Label more"),
    "model.enough": ("cukup", "enough"),
    "model.adapt": ("Bangun kandidat dari label ini", "Build a candidate from these labels"),
    "model.adapt_explain": (
        "Model yang bertugas diadaptasi ke bagian latih label di latar belakang; hasilnya "
        "kandidat yang bisa dibandingkan.",
        "The model in service is adapted to the training part of the labels in the background; "
        "the result is a candidate to compare."),
    "model.jobs": ("Pekerjaan latar belakang", "Background jobs"),
    "model.job_kind": ("Jenis", "Kind"),
    "model.job_state": ("Status", "State"),
    "model.job_progress": ("Kemajuan", "Progress"),
    "model.job.reclassify": ("nilai ulang post", "re-score posts"),
    "model.job.adapt": ("bangun kandidat", "build a candidate"),
    "model.state.queued": ("menunggu", "queued"),
    "model.state.running": ("berjalan", "running"),
    "model.state.done": ("selesai", "done"),
    "model.state.failed": ("gagal", "failed"),
    "model.state.candidate": ("kandidat", "candidate"),
    "model.state.in_service": ("bertugas", "in service"),
    "model.state.retired": ("pensiun", "retired"),
    "model.state.broken": ("rusak", "broken"),
    "model.versions": ("Semua versi", "Every version"),
    "model.kind": ("Jenis", "Kind"),
    "model.status": ("Status", "Status"),
    "model.parent": ("Induk", "Parent"),
    "model.data": ("Data latih (nama, jumlah)", "Training data (name, count)"),
    "model.figures": ("Angka", "Figures"),
    "model.created": ("Dibuat", "Created"),
    "model.promoted": ("Ditugaskan", "Promoted"),
    "model.compare": ("bandingkan", "compare"),
    "model.rollback": ("Kembalikan versi ini", "Put this version back"),
    # users
    "users.title": ("Pengguna", "Users"),
    "users.add": ("Tambah pengguna", "Add a user"),
    "users.role": ("Peran", "Role"),
    "users.status": ("Status", "Status"),
    "users.active": ("aktif", "active"),
    "users.disabled": ("nonaktif", "disabled"),
    "users.change_role": ("Ganti peran", "Change role"),
    "users.disable": ("Nonaktifkan", "Disable"),
    "users.created": ("Dibuat", "Created"),
    "users.password_hint": ("Minimal 12 karakter; pakai frasa panjang.",
                            "At least 12 characters; use a long phrase."),
    # the counter-narrative library (issue #11)
    "library.title": ("Pustaka narasi tandingan", "Counter-narrative library"),
    "library.explain": (
        "Pesan damai yang siap dipakai untuk menjawab post yang ditandai. Setiap perubahan "
        "disimpan sebagai versi baru; analis menulis draf, approver menyetujui atau "
        "memensiunkan.",
        "Ready messages of peace for answering flagged posts. Every change is kept as a new "
        "version; analysts write drafts, approvers approve or retire them."),
    "library.new": ("Tulis entri baru", "Write a new entry"),
    "library.edit": ("Ubah entri", "Edit the entry"),
    "library.edit_note": ("Perubahan disimpan sebagai versi baru berstatus draf dan perlu "
                          "disetujui lagi.",
                          "A change is kept as a new draft version and needs approval again."),
    "library.filter": ("Saring", "Filter"),
    "library.empty": ("Belum ada entri. Muat pustaka awal dengan `damai library import "
                      "--starter`, atau tulis entri baru.",
                      "No entries yet. Load the starter library with `damai library import "
                      "--starter`, or write a new entry."),
    "library.count": ("{n} entri", "{n} entries"),
    "library.id": ("ID", "ID"),
    "library.id_hint": ("Huruf kecil, angka, - atau _; tidak bisa diubah nanti.",
                        "Lower-case letters, digits, - or _; it cannot change later."),
    "library.entry_title": ("Judul", "Title"),
    "library.text_id": ("Teks (bahasa Indonesia)", "Text (Indonesian)"),
    "library.text_en": ("Teks bahasa Inggris (opsional)", "English text (optional)"),
    "library.short_280": ("Versi pendek (maks. 280 karakter)", "Short version (280 characters)"),
    "library.short_500": ("Versi sedang (maks. 500 karakter)", "Medium version (500 characters)"),
    "library.themes": ("Tema (satu atau dua)", "Themes (one or two)"),
    "library.labels": ("Label yang dijawab (pisahkan dengan koma)",
                       "Labels it answers (separated by commas)"),
    "library.theme_names": ("Tema", "Themes"),
    "library.answers": ("Menjawab label", "Answers labels"),
    "library.tone": ("Nada", "Tone"),
    "library.source": ("Sumber atau rujukan", "Source or reference"),
    "library.author": ("Penulis", "Author"),
    "library.status": ("Status", "Status"),
    "library.status.draft": ("draf", "draft"),
    "library.status.approved": ("disetujui", "approved"),
    "library.status.retired": ("dipensiunkan", "retired"),
    "library.version": ("Versi", "Version"),
    "library.versions": ("Riwayat versi", "Versions"),
    "library.by": ("Oleh", "By"),
    "library.usage": ("Riwayat pemakaian", "Usage history"),
    "library.usage_none": ("Belum pernah dipakai.", "Not used yet."),
    "library.used_for": ("Dipakai untuk", "Used for"),
    "library.save_draft": ("Simpan sebagai draf", "Save as a draft"),
    "library.approve": ("Setujui", "Approve"),
    "library.retire": ("Pensiunkan", "Retire"),
    "library.problems": ("Periksa isian berikut lalu simpan lagi:",
                         "Check these fields, then save again:"),
    "library.diff": ("Bandingkan versi", "Compare versions"),
    "library.diff_prev": ("bandingkan dengan sebelumnya", "compare with the previous one"),
    "library.diff_from": ("Dari versi", "From version"),
    "library.diff_to": ("ke versi", "to version"),
    "library.diff_show": ("Bandingkan", "Compare"),
    "library.field": ("Isian", "Field"),
    "library.unchanged": ("tidak berubah", "unchanged"),
    "library.back": ("Kembali ke entri", "Back to the entry"),
    # responses, their review and the outbox (issue #11)
    "responses.title": ("Antrean tanggapan", "Response queue"),
    "responses.explain": (
        "Setiap tanggapan perlu disetujui manusia sebelum terbit. Yang menunggu tinjauan ada di "
        "atas. Teks yang diblokir harus diubah dulu.",
        "Every response needs a person's approval before it goes out. Those waiting for review "
        "come first. A blocked text must be edited first."),
    "responses.four_eyes_on": ("Tinjauan empat mata aktif: tidak ada yang boleh menyetujui "
                               "usulannya sendiri.",
                               "Four-eyes review is on: nobody approves their own proposal."),
    "responses.four_eyes_off": ("Tinjauan empat mata nonaktif: pengusul boleh menyetujui "
                                "usulannya sendiri.",
                                "Four-eyes review is off: a proposer may approve their own "
                                "proposal."),
    "responses.turn_off": ("Matikan tinjauan empat mata", "Turn four-eyes review off"),
    "responses.turn_on": ("Aktifkan tinjauan empat mata", "Turn four-eyes review on"),
    "responses.empty": ("Belum ada tanggapan. Usulkan dari halaman sebuah post.",
                        "No responses yet. Propose one from a post's page."),
    "responses.state": ("Status", "State"),
    "responses.state.draft": ("draf", "draft"),
    "responses.state.in_review": ("menunggu tinjauan", "in review"),
    "responses.state.approved": ("disetujui", "approved"),
    "responses.state.rejected": ("ditolak", "rejected"),
    "responses.proposed_by": ("Diusulkan oleh", "Proposed by"),
    "responses.decided_by": ("Diputuskan oleh", "Decided by"),
    "responses.version": ("versi", "version"),
    "responses.post": ("Menjawab post", "Answers post"),
    "responses.entry": ("Dari entri", "From entry"),
    "responses.machine": ("Draf mesin", "Machine draft"),
    "responses.blocked": ("Diblokir", "Blocked"),
    "responses.own": ("Usulan Anda: approver lain yang menyetujui.",
                      "Your proposal: another approver approves it."),
    "responses.approve": ("Setujui", "Approve"),
    "responses.reject": ("Tolak", "Reject"),
    "responses.reason": ("Alasan (opsional)", "Reason (optional)"),
    "responses.edit_open": ("Ubah teks", "Edit the text"),
    "responses.edit": ("Simpan perubahan (kembali ke tinjauan)",
                       "Save the edit (back to review)"),
    "responses.publish": ("Terbitkan ke uji coba", "Publish to dry-run"),
    "responses.published": ("Sudah di kotak keluar", "In the outbox"),
    "responses.refused": ("Tidak bisa", "Not possible"),
    "claims.title": ("Cek fakta: klaim dan putusannya", "Fact checks: claims and verdicts"),
    "claims.explain": ("Klaim yang sudah diperiksa. Post yang mengulang klaim salah atau "
                       "menyesatkan ditandai hoaks, dan penjelasannya jadi usulan tanggapan. "
                       "Impor klaim dengan `damai claims import BERKAS`.",
                       "Checked claims. A post that repeats a false or misleading claim is "
                       "flagged as a hoax, and the explanation becomes the suggested response. "
                       "Import claims with `damai claims import FILE`."),
    "claims.search": ("Cari klaim", "Search claims"),
    "claims.verdict": ("Putusan", "Verdict"),
    "claims.claim": ("Klaim", "Claim"),
    "claims.date": ("Tanggal", "Date"),
    "claims.posts": ("Post yang mengulang", "Posts repeating it"),
    "claims.count": ("{n} klaim", "{n} claims"),
    "claims.empty": ("Belum ada klaim. Impor dengan `damai claims import BERKAS`.",
                     "No claims yet. Import them with `damai claims import FILE`."),
    "claims.explanation": ("Penjelasan", "Explanation"),
    "claims.source": ("Sumber", "Source"),
    "claims.no_posts": ("Belum ada post yang mengulang klaim ini.",
                        "No stored post repeats this claim yet."),
    "claims.score": ("Skor kecocokan", "Match score"),
    "claims.back": ("Semua klaim", "All claims"),
    "measures.title": ("Tanggapan: cakupan dan kecepatan", "Responses: coverage and speed"),
    "measures.coverage": ("Post berbahaya yang punya tanggapan disetujui",
                          "Harmful flagged posts with an approved response"),
    "measures.coverage_of": ("{covered} dari {flagged} post yang ditandai sejak {since}",
                             "{covered} of {flagged} flagged posts since {since}"),
    "measures.median": ("Median waktu dari tanda sampai persetujuan",
                        "Median time from flag to approval"),
    "measures.median_of": ("dari {n} persetujuan terakhir; dihitung dari saat Damai menyimpan "
                           "post", "over the last {n} approvals; counted from when Damai stored "
                           "the post"),
    "measures.hours": ("jam", "hours"),
    "measures.themes": ("Entri pustaka yang dipakai per tema ({days} hari terakhir)",
                        "Library entries used per theme (last {days} days)"),
    "measures.entries": ("Entri", "Entries"),
    "measures.uses": ("Pemakaian", "Uses"),
    "measures.narratives": ("Cakupan per narasi menyusul setelah pengelompokan narasi ada.",
                            "Coverage of narratives follows once narratives are grouped."),
    "responses.waiting": ("{n} tanggapan menunggu persetujuan Anda",
                          "{n} responses wait for your approval"),
    "recs.title": ("Rekomendasi kontra-narasi", "Recommended counter-narratives"),
    "recs.explain": ("Tiga entri pustaka terbaik untuk post ini, dengan alasannya. Satu klik "
                     "mengusulkan entri itu; tanggapan baru menunggu persetujuan.",
                     "The three best library entries for this post, with why. One click "
                     "proposes the entry; the new response waits for approval."),
    "recs.open": ("Lihat rekomendasi", "See recommendations"),
    "recs.score": ("skor", "score"),
    "recs.propose": ("Usulkan", "Propose"),
    "recs.proposed": ("Diusulkan, menunggu persetujuan:", "Proposed, awaiting approval:"),
    "propose.title": ("Usulkan tanggapan", "Propose a response"),
    "propose.explain": ("Pilih entri pustaka yang disetujui, minta draf dari entri itu, atau "
                        "tulis sendiri. Tanggapan masuk antrean untuk disetujui.",
                        "Choose an approved library entry, ask for a draft from it, or write "
                        "your own. The response goes to the queue for approval."),
    "propose.entry": ("Entri pustaka", "Library entry"),
    "propose.as_is": ("Usulkan entri apa adanya", "Propose the entry as it is"),
    "propose.draft": ("Buat draf dari entri", "Draft from the entry"),
    "propose.channel": ("Kanal", "Channel"),
    "propose.text": ("Atau tulis sendiri", "Or write your own"),
    "propose.own": ("Usulkan teks ini", "Propose this text"),
    "propose.no_entries": ("Belum ada entri yang disetujui di pustaka.",
                           "The library holds no approved entry yet."),
    "outbox.title": ("Kotak keluar", "Outbox"),
    "outbox.explain": ("Semua publikasi. Kanal uji coba (dry-run) tidak mengirim apa pun; kanal "
                       "platform menunjukkan status pengirimannya. Yang tidak pasti perlu "
                       "dicek di platform oleh manusia.",
                       "Every publication. The dry-run channel sends nothing; platform channels "
                       "show how delivery went. Uncertain ones need a person to check the "
                       "platform."),
    "outbox.channel": ("Kanal", "Channel"),
    "outbox.state": ("Status", "State"),
    "outbox.state.pending": ("sedang dikirim", "pending"),
    "outbox.state.sent": ("terkirim", "sent"),
    "outbox.state.failed": ("gagal", "failed"),
    "outbox.state.uncertain": ("tidak pasti", "uncertain"),
    "outbox.state.queued": ("dalam antrean", "queued"),
    "outbox.state.retracted": ("ditarik", "retracted"),
    "outbox.retract": ("Tarik", "Retract"),
    "outbox.retract_reason": ("Alasan (dicatat di log audit)",
                              "Reason (recorded in the audit log)"),
    "outbox.retract_confirm": ("Saya paham: post ini dihapus di platform.",
                               "I understand: this post is deleted on the platform."),
    "outbox.refused": ("Tidak bisa ditarik", "Cannot retract"),
    "outbox.waiting": ("{n} publikasi gagal atau tidak pasti menunggu Anda",
                       "{n} failed or uncertain publications wait for you"),
    "outbox.open": ("buka", "open"),
    "outbox.channels": ("Kanal", "Channels"),
    "outbox.channels.explain": (
        "Tiap akun punya batas laju (DAMAI_PUBLISH_RATE_LIMITS); yang melebihinya menunggu di "
        "antrean dan dikirim oleh worker pada gilirannya. Kanal yang kredensialnya ditolak "
        "dijeda: tidak ada yang hilang, antreannya menunggu sampai kanal dilanjutkan.",
        "Each account has a rate limit (DAMAI_PUBLISH_RATE_LIMITS); what exceeds it waits in "
        "the queue and the worker sends it in its turn. A channel whose credential is refused "
        "is paused: nothing is lost, its queue waits until the channel is resumed."),
    "outbox.channel.paused": ("dijeda", "paused"),
    "outbox.channel.active": ("berjalan", "running"),
    "outbox.channel.queued": ("dalam antrean", "queued"),
    "outbox.channel.resume": ("Lanjutkan kanal", "Resume channel"),
    "outbox.channel.pause": ("Jeda kanal", "Pause channel"),
    "outbox.alert": ("Kanal {channel} dijeda: {reason}", "Channel {channel} is paused: {reason}"),
    "outbox.alert.fix": ("Perbaiki kredensialnya, lalu lanjutkan kanal di Kotak keluar.",
                         "Fix its credential, then resume the channel in the Outbox."),
    "outbox.edit": ("ubah teks (kembali ditinjau)", "edit the text (back to review)"),
    "outbox.not_before": ("tidak sebelum", "not before"),
    "outbox.settle.explain": ("Periksa akun di platform, lalu putuskan:",
                              "Check the account on the platform, then decide:"),
    "outbox.settle.sent": ("Sudah terbit", "It is there"),
    "outbox.settle.failed": ("Belum terbit (kirim lagi)", "It is not there (send again)"),
    "outbox.settle.url": ("Tautan post (bila ada)", "The post's link (if any)"),
    "outbox.empty": ("Kotak keluar kosong.", "The outbox is empty."),
    "outbox.by": ("Diterbitkan oleh", "Published by"),
    "outbox.subject": ("Isi", "Content"),
    # audit
    "audit.title": ("Log audit", "Audit log"),
    "audit.actor": ("Pelaku", "Actor"),
    "audit.action": ("Aksi", "Action"),
    "audit.target": ("Sasaran", "Target"),
    "audit.detail": ("Rincian", "Detail"),
    "audit.filter": ("Saring", "Filter"),
    "audit.export": ("Ekspor CSV", "Export CSV"),
    "audit.shown": ("Menampilkan {n} entri terbaru", "Showing the {n} newest entries"),
}

MESSAGES.update(AMBASSADOR_MESSAGES)


MESSAGES.update(CAMPAIGN_MESSAGES)  # issue #12: the campaign pages
MESSAGES.update(DRILLDOWN_MESSAGES)  # issue #14 parts 3 and 4: drill-down and the choropleth
MESSAGES.update(MEASURE_MESSAGES)  # issue #12 part 7: the measure page
MESSAGES.update(EVENT_MESSAGES)  # issue #13: the events page
MESSAGES.update(ACCOUNT_MESSAGES)  # issue #14 part 7: my account, password resets
MESSAGES.update(MAP_MESSAGES)  # issue #13: the map page, and reports on the events page
MESSAGES.update(HOAXWATCH_MESSAGES)  # issue #13 part 7: the hoax-watch page
MESSAGES.update(REPORTS_MESSAGES)  # issue #14 part 6: reports and the posts export
MESSAGES.update(NARRATIVE_MESSAGES)  # issue #14 part 2: the narratives pages
MESSAGES.update(WATCHLIST_MESSAGES)  # issue #14 part 5: watchlists and notifications
MESSAGES.update(TRIAGE_MESSAGES)  # issue #14 part 1: triage as a work queue


def translator(lang: str) -> Callable[..., str]:
    """``t(key, **values)`` in ``lang`` (unknown languages fall back to Indonesian)."""
    index = LANGS.index(lang) if lang in LANGS else 0

    def t(key: str, **values: object) -> str:
        text = MESSAGES[key][index]
        return text.format(**values) if values else text

    return t
