"""The narratives pages' messages (issue #14 part 2), in Indonesian and English; merged into
:data:`damai.web.i18n.MESSAGES`, kept apart so the pages stay one change."""

from __future__ import annotations

from typing import Final

__all__ = ["NARRATIVE_MESSAGES"]

#: key → (Indonesian, English)
NARRATIVE_MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav.narratives": ("Narasi", "Narratives"),
    "narratives.title": ("Narasi", "Narratives"),
    "narratives.explain": (
        "Post yang mengatakan hal yang sama, dikelompokkan: salinan dengan sedikit ubahan (salah "
        "ketik, tagar, tautan, urutan kata), repost, dan parafrase dari post yang ditandai. "
        "Hanya narasi dengan dua post atau lebih yang tampil. Aturannya ada di docs/narratives.md.",
        "Posts that say the same thing, grouped: copies with small edits (typos, hashtags, "
        "links, word order), reposts, and paraphrases of flagged posts. Only narratives of two "
        "posts or more are listed. The rules are in docs/narratives.md."),
    "narratives.empty": (
        "Belum ada narasi. Masukkan post dengan `damai ingest`, atau kelompokkan post yang sudah "
        "tersimpan dengan `damai narratives build`.",
        "No narratives yet. Ingest posts with `damai ingest`, or group the stored posts with "
        "`damai narratives build`."),
    "narratives.count": ("{n} narasi dengan dua post atau lebih.",
                         "{n} narratives of two posts or more."),
    "narratives.order": ("Urutkan", "Order"),
    "narratives.by_size": ("terbesar", "largest"),
    "narratives.by_recent": ("terbaru", "newest"),
    "narratives.next": ("Halaman berikutnya →", "Next page →"),
    "narratives.one": ("Narasi #{id}", "Narrative #{id}"),
    "narratives.text": ("Teks pertama", "First text"),
    "narratives.posts": ("Post", "Posts"),
    "narratives.first_seen": ("Pertama terlihat", "First seen"),
    "narratives.last_seen": ("Terakhir terlihat", "Last seen"),
    "narratives.facts": ("Ringkasan", "Summary"),
    "narratives.read": ("Jumlah di halaman ini mencakup semua post; sinyal lonjakan dicari di "
                        "antara {n} post tertua.",
                        "The counts on this page cover every post; bursts are looked for among "
                        "the {n} oldest posts."),
    "narratives.how.first": ("memulai narasi", "started it"),
    "narratives.how.copy": ("salinan", "copies"),
    "narratives.how.repost": ("repost", "reposts"),
    "narratives.how.paraphrase": ("parafrase", "paraphrases"),
    "narratives.labels": ("Label (post yang ditandai)", "Labels (flagged posts)"),
    "narratives.platforms": ("Platform", "Platforms"),
    "narratives.provinces": ("Provinsi yang disebut", "Provinces named"),
    "narratives.provinces_note": (
        "Dari nama tempat dalam teks (geoparsing), bukan dari lokasi akun.",
        "From the place names in the texts (geoparsing), not from where accounts are."),
    "narratives.volume": ("Volume per hari", "Volume per day"),
    "narratives.day": ("Hari", "Day"),
    "narratives.spreaders": ("Akun yang paling banyak menyebarkan", "Accounts that spread it most"),
    "narratives.spreaders_note": (
        "Akun ditampilkan sebagai kunci samaran, tidak pernah sebagai nama akun. Ini hitungan "
        "post, bukan penilaian tentang orang.",
        "Accounts are shown as pseudonymised keys, never as handles. These are post counts, not "
        "a judgement about anyone."),
    "narratives.signals": ("Sinyal koordinasi", "Coordination signals"),
    "narratives.signals_note": (
        "Setiap sinyal adalah aturan tertulis beserta buktinya: post dan kelompok akun. Sinyal "
        "bukan skor atau vonis tentang seseorang; berbagi bersama punya banyak sebab yang wajar. "
        "Periksa buktinya sebelum bertindak.",
        "Each signal is a stated rule with its evidence: posts and groups of accounts. A signal "
        "is not a score or a verdict about anyone; sharing together has many innocent causes. "
        "Check the evidence before acting."),
    "narratives.no_signals": ("Tidak ada aturan yang terpenuhi.", "No rule is met."),
    "narratives.signals_shown": (
        "Menampilkan {shown} sinyal dengan akun terbanyak dari {total}; API dan "
        "`damai narratives show --json` memberi semuanya.",
        "Showing the {shown} signals with the most accounts of {total}; the API and "
        "`damai narratives show --json` give all of them."),
    "narratives.rule.burst": (
        "Banyak akun memposting teks yang hampir sama dalam hitungan menit",
        "Many accounts posting near-identical text within minutes"),
    "narratives.rule.repost_ring": (
        "Akun yang hampir selalu me-repost satu sama lain",
        "Accounts that almost always repost one another"),
    "narratives.burst_evidence": (
        "{accounts} akun, {posts} post antara {start} dan {end} UTC.",
        "{accounts} accounts, {posts} posts between {start} and {end} UTC."),
    "narratives.ring_pair": (
        "{reposter} me-repost {original} {n} kali dari {total} repost-nya.",
        "{reposter} reposted {original} {n} times of its {total} reposts."),
    "narratives.group": ("Kelompok akun (kunci samaran)", "Group of accounts (pseudonymised keys)"),
    "narratives.texts": ("Teks dalam narasi ini", "Texts in this narrative"),
    "narratives.responses": ("Tanggapan untuk seluruh narasi", "Responses to the whole narrative"),
    "narratives.no_responses": ("Belum ada tanggapan.", "No responses yet."),
    "narratives.entry": ("ID entri pustaka yang disetujui", "Approved library entry id"),
    "narratives.own_text": ("atau teks Anda sendiri", "or your own text"),
    "narratives.propose": ("Usulkan tanggapan untuk narasi ini",
                           "Propose a response to this narrative"),
}
