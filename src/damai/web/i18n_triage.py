"""The triage work queue's messages (issue #14 part 1), in Indonesian and English; merged into
:data:`damai.web.i18n.MESSAGES` (replacing the older queue's explanation)."""

from __future__ import annotations

from typing import Final

__all__ = ["TRIAGE_MESSAGES"]

#: key → (Indonesian, English)
TRIAGE_MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "triage.explain": (
        "Post ditandai yang menunggu, diurutkan menurut prioritas: bobot label × keparahan × "
        "jangkauan. Keparahan = skor label; jangkauan = 1 + ln(1 + suka + bagikan + balasan + "
        "kutipan); bobot dari pengaturan DAMAI_TRIAGE_WEIGHTS. Salinan (narasi yang sama, "
        "repost) tampil sekali, dengan jumlahnya; tombol tinjau, tolak dan tugaskan pada "
        "baris itu berlaku untuk semua salinannya. Nilai setiap tanda Benar atau Salah: setiap "
        "jawaban disimpan sebagai label yang melatih model.",
        "Flagged posts waiting, ordered by priority: label weight × severity × reach. Severity "
        "= the label's score; reach = 1 + ln(1 + likes + reposts + replies + quotes); weights "
        "from the setting DAMAI_TRIAGE_WEIGHTS. Copies (the same narrative, reposts) are shown "
        "once, with their count; that row's review, dismiss and assign buttons act on all its "
        "copies. Judge each flag Right or Wrong: every answer is kept as a label "
        "that teaches the model."),
    "triage.formula": ("Rumus", "Formula"),
    "triage.weights": ("Bobot", "Weights"),
    "triage.weight": ("bobot", "weight"),
    "triage.queue.harm": ("Bahaya", "Harms"),
    "triage.queue.disaster": ("Bencana", "Disaster"),
    "triage.queue.counter_speech": ("Kontra-narasi", "Counter-speech"),
    "triage.filter": ("Saring", "Filter"),
    "triage.any": ("(semua)", "(any)"),
    "triage.unassigned": ("(belum ditugaskan)", "(unassigned)"),
    "triage.since": ("Sejak (UTC)", "Since (UTC)"),
    "triage.until": ("Sampai (UTC)", "Until (UTC)"),
    "triage.province": ("Provinsi", "Province"),
    "triage.platform": ("Platform", "Platform"),
    "triage.label": ("Label", "Label"),
    "triage.next": ("Halaman berikutnya →", "Next page →"),
    "triage.first": ("← Halaman pertama", "← First page"),
    "triage.copies": ("+{n} salinan", "+{n} copies"),
    "triage.select": ("Pilih", "Select"),
    "triage.bulk": ("Untuk yang dipilih (salinan ikut):", "For the selected rows (copies too):"),
    "triage.bulk_review": ("Tandai ditinjau", "Mark reviewed"),
    "triage.bulk_dismiss": ("Tolak…", "Dismiss…"),
    "triage.bulk_assign": ("Tugaskan", "Assign"),
    "triage.undo": ("Batalkan aksi terakhir", "Undo the last action"),
    "triage.undo_what": ("Aksi terakhir Anda: {action} pada {n} post",
                         "Your last action: {action} on {n} posts"),
    "triage.action.triage_review": ("tinjau", "review"),
    "triage.action.triage_dismiss": ("tolak", "dismiss"),
    "triage.action.triage_assign": ("tugaskan", "assign"),
    "triage.confirm_title": ("Tolak post ini?", "Dismiss these posts?"),
    "triage.confirm_group": ("Tolak post ini dan semua salinannya?",
                             "Dismiss this post and all its copies?"),
    "triage.group_note": ("Tinjau, tolak dan tugaskan berlaku juga untuk semua salinannya di "
                          "antrean dan status ini, juga yang tersaring.",
                          "Review, dismiss and assign act on all its copies in this queue and "
                          "status too, filtered out or not."),
    "triage.done_group": ("{n} post, salinan ikut", "{n} posts, copies included"),
    "triage.confirm_explain": (
        "Setiap tanda pada {n} post di bawah akan dicatat salah (koreksi 0) dan post ditutup. "
        "Anda bisa membatalkannya sesudahnya.",
        "Every flag of the {n} posts below will be recorded wrong (a correction 0) and the posts "
        "closed. You can undo it afterwards."),
    "triage.confirm_yes": ("Ya, tolak", "Yes, dismiss"),
    "triage.confirm_no": ("Jangan, kembali", "No, go back"),
    "triage.notes": ("Catatan", "Notes"),
    "triage.note_add": ("Tambah catatan", "Add a note"),
    "triage.note_help": ("Paling banyak 2.000 karakter", "At most 2,000 characters"),
    "triage.marked": ("{n} post masih menunggu prioritasnya dihitung dan belum tampil; muat ulang "
                      "sebentar lagi.",
                      "{n} posts are still waiting for their priority and are not shown yet; "
                      "reload in a moment."),
    "triage.refused": ("Permintaan ditolak", "Request refused"),
    "triage.back": ("Kembali ke antrean", "Back to the queue"),
}
