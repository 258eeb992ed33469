"""Narratives benchmark (issue #14 part 2): near-duplicate grouping quality, speed, and the
incremental cost of a new batch.

**Workload.** ``--n`` posts (200,000 by default) in known copy groups. Each group's original is a
sentence of 12 to 28 words drawn from Indonesian word lists written for this script (function
words, nouns, verbs, adjectives, places; no text is copied from anywhere). A group has one post
(40% of groups) or 2 to 60 (a geometric-like draw). Every copy is the original with one to three
edits: typos (a letter dropped, doubled or swapped in one to three words), added hashtags, a
changed or added link, shuffled words (the whole text or a run of it), and a changed case.
Posts are grouped in ingest order (shuffled, so a copy may come before its original), in
batches of 2,000, on one core, with the pipeline's own :class:`NarrativeGrouper` over an
in-memory :class:`CopyIndex` (the store is left out: its writes are the ingest's business).

**Measure.**

- Pairwise near-duplicate precision and recall: a pair of posts is *predicted* when both are in
  one narrative and *true* when both are in one copy group.
- Grouping time for the ``--n`` posts (``time.perf_counter``; the process's CPU time beside it,
  since a shared machine stretches the wall clock), and posts per second.
- Incremental cost: ``--batches`` batches of ``--batch`` new posts (half copies of existing
  groups, half new texts) onto the grouped set; the median time per batch.
- Restart: rebuilding the LSH index from the representatives' stored signature bytes.

    .venv/bin/python bench/narratives.py [--n 200000] [--batch 1000] [--batches 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np

from damai.pipeline.narratives import CopyIndex, NarrativeGrouper
from damai.records import Post
from damai.storage import StoredPost

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def words(text: str) -> list[str]:
    return text.split()


FUNCTION = words("yang di ke dari dan atau tapi karena untuk dengan pada oleh juga sudah belum "
                 "akan "
            "masih sedang harus bisa tidak bukan jangan ini itu mereka kita kami semua para "
            "setiap banyak sedikit lagi saja pun agar supaya kalau jika ketika sejak sampai")
NOUNS = words("warga pemerintah desa kota sekolah pasar masjid gereja pura vihara jalan jembatan "
         "sungai gunung laut pantai hutan sawah kebun rumah kantor rumah-sakit puskesmas bantuan "
         "beras minyak gula listrik air hujan banjir gempa longsor angin api asap abu relawan "
         "polisi tentara guru murid petani nelayan pedagang buruh pejabat bupati camat lurah "
         "kepala-desa ulama pendeta pemuda ibu bapak anak nenek keluarga tetangga saudara "
         "berita kabar video foto pesan grup surat dokumen data uang pajak harga gaji subsidi "
         "vaksin obat masker makanan minuman pakaian tenda selimut perahu truk motor kereta "
         "bandara pelabuhan stasiun terminal lapangan balai aula musala tanggul bendungan "
         "irigasi sumur kampung dusun pulau provinsi negara bangsa agama budaya bahasa adat "
         "persatuan perdamaian toleransi kerukunan keadilan kebenaran fitnah hoaks isu")
VERBS = words("membagikan menyebarkan mengirim menerima membantu menolong mengungsi menunggu "
         "mencari menemukan melapor melaporkan mengecek memeriksa membaca menulis menonton "
         "mendengar berkata mengatakan menyatakan mengumumkan menolak mendukung melawan "
         "membela menjaga merawat membangun memperbaiki menutup membuka memotong menaikkan "
         "menurunkan menghapus mengganti mengambil memberi meminta menjual membeli memasak "
         "berjalan berlari berkumpul berdoa bekerja belajar bermain berangkat pulang datang "
         "pergi tinggal tidur bangun tenggelam terbakar runtuh retak jebol meluap surut")
ADJECTIVES = words("besar kecil tinggi rendah baru lama cepat lambat kuat lemah aman bahaya benar "
              "salah palsu asli resmi gratis mahal murah penuh kosong bersih kotor sehat sakit "
              "damai ramai sepi marah sedih senang takut berani jujur licik adil curang parah "
              "ringan berat dekat jauh panas dingin basah kering gelap terang")
PLACES = words("Aceh Medan Padang Pekanbaru Jambi Palembang Bengkulu Lampung Serang Jakarta "
               "Bandung "
          "Semarang Yogyakarta Surabaya Denpasar Mataram Kupang Pontianak Palangkaraya "
          "Banjarmasin Samarinda Tarakan Manado Gorontalo Palu Makassar Kendari Mamuju Ambon "
          "Ternate Jayapura Manokwari Sorong Merauke Cianjur Garut Tasikmalaya Sukabumi Bogor "
          "Bekasi Depok Tangerang Cilegon Kudus Pati Jepara Klaten Magelang Kediri Malang "
          "Jember Banyuwangi Lombok Sumbawa Flores Sumba Nias Bangka Belitung Batam")
TAGS = words("hoaks cekfakta viral infobencana gempa banjir waspada damai indonesia sebarkan "
        "pentingbanget breaking trending beritaterkini")


def sentence(rng: random.Random) -> str:
    """An original text: 12 to 28 words, a place or two, a capital letter and a full stop."""
    words: list[str] = []
    for _ in range(rng.randint(4, 9)):
        words += [rng.choice(NOUNS), rng.choice(VERBS if rng.random() < 0.6 else ADJECTIVES),
                  rng.choice(FUNCTION)]
        if rng.random() < 0.25:
            words.append(rng.choice(PLACES))
    words = words[:rng.randint(12, 28)]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1:]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    return word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]


def edit(text: str, rng: random.Random) -> str:
    """A copy: one to three of typos, hashtags, links, shuffled words, case."""
    words = text.split()
    for op in rng.sample(("typo", "tags", "link", "shuffle", "case"), rng.randint(1, 3)):
        if op == "typo":
            for _ in range(rng.randint(1, 3)):
                i = rng.randrange(len(words))
                words[i] = typo(words[i], rng)
        elif op == "tags":
            words += ["#" + rng.choice(TAGS) for _ in range(rng.randint(1, 3))]
        elif op == "link":
            words = [w for w in words if not w.startswith("http")]
            words.append(f"https://s.id/{rng.getrandbits(32):x}")
        elif op == "shuffle":
            if rng.random() < 0.5:
                rng.shuffle(words)
            else:
                a = rng.randrange(len(words) - 3)
                run = words[a:a + rng.randint(3, 8)]
                rng.shuffle(run)
                words[a:a + len(run)] = run
        else:
            words = [w.upper() if rng.random() < 0.3 else w.lower() for w in words]
    return " ".join(words)


def group_size(rng: random.Random) -> int:
    if rng.random() < 0.4:
        return 1
    return min(60, 2 + int(rng.expovariate(1 / 6)))


def corpus(n: int, rng: random.Random) -> tuple[list[str], list[int], list[str]]:
    """``n`` texts, each one's true group, and each group's original."""
    texts: list[str] = []
    truth: list[int] = []
    originals: list[str] = []
    while len(texts) < n:
        original = sentence(rng)
        group = len(originals)
        originals.append(original)
        for k in range(min(group_size(rng), n - len(texts))):
            texts.append(original if k == 0 else edit(original, rng))
            truth.append(group)
    order = list(range(len(texts)))
    rng.shuffle(order)
    return [texts[i] for i in order], [truth[i] for i in order], originals


def stored(texts: list[str], start: int) -> list[StoredPost]:
    return [StoredPost(start + i, Post("x", str(start + i), text,
                                       T0 + timedelta(seconds=start + i), author_key=f"a{i % 997}"))
            for i, text in enumerate(texts)]


class Run:
    """The grouper over an in-memory index, giving new narratives ids as the store would."""

    def __init__(self) -> None:
        self.index = CopyIndex()
        self.grouper = NarrativeGrouper(self.index)
        self.next_id = 1
        self.narrative: dict[int, int] = {}

    def feed(self, batch: list[StoredPost]) -> None:
        decisions = self.grouper.assign(batch, {})
        ids = {}
        for new in decisions.new:
            ids[new.placeholder] = self.next_id
            self.next_id += 1
        self.grouper.settle(ids)
        for m in decisions.members:
            self.narrative[m.post_id] = ids.get(m.narrative, m.narrative)


def pairs(counts: Counter[object]) -> int:
    return sum(c * (c - 1) // 2 for c in counts.values())


def quality(truth: list[int], predicted: list[int]) -> dict[str, float]:
    both = pairs(Counter(zip(truth, predicted, strict=True)))
    true_pairs, predicted_pairs = pairs(Counter(truth)), pairs(Counter(predicted))
    return {"precision": both / predicted_pairs if predicted_pairs else 1.0,
            "recall": both / true_pairs if true_pairs else 1.0,
            "true_pairs": true_pairs, "predicted_pairs": predicted_pairs}


def restart_seconds(index: CopyIndex) -> tuple[float, float, int]:
    """Rebuild an index from the representatives' signature bytes, as after a restart."""
    stored_rows = [(key, narrative, sig.astype(np.uint32).tobytes())
                   for key, (narrative, sig) in index.signatures.items()]
    start, cpu = time.perf_counter(), time.process_time()
    fresh = CopyIndex()
    for key, narrative, raw in stored_rows:
        fresh.add(key, narrative, np.frombuffer(raw, dtype=np.uint32).copy())
    return time.perf_counter() - start, time.process_time() - cpu, len(stored_rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    texts, truth, originals = corpus(args.n, rng)
    run = Run()
    posts = stored(texts, 1)
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(posts), 2000):
        run.feed(posts[i:i + 2000])
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    found = quality(truth, [run.narrative[p.id] for p in posts])
    times, cpus = [], []
    next_id = len(posts) + 1
    for _ in range(args.batches):
        fresh = [edit(rng.choice(originals), rng) if rng.random() < 0.5 else sentence(rng)
                 for _ in range(args.batch)]
        batch = stored(fresh, next_id)
        next_id += len(batch)
        begin, cpu_begin = time.perf_counter(), time.process_time()
        run.feed(batch)
        times.append(time.perf_counter() - begin)
        cpus.append(time.process_time() - cpu_begin)
    rebuild, rebuild_cpu, reps = restart_seconds(run.index)
    report = {"posts": len(posts), "groups": len(set(truth)), "narratives": run.next_id - 1,
              **found, "group_seconds": round(seconds, 2),
              "group_cpu_seconds": round(cpu, 2),
              "posts_per_second": round(len(posts) / seconds),
              "batch": args.batch, "batch_seconds_median": round(statistics.median(times), 3),
              "batch_cpu_seconds_median": round(statistics.median(cpus), 3),
              "batch_seconds": [round(t, 3) for t in times],
              "representatives": reps, "restart_rebuild_seconds": round(rebuild, 2),
              "restart_rebuild_cpu_seconds": round(rebuild_cpu, 2)}
    if args.json:
        print(json.dumps(report))
        return
    for key, value in report.items():
        print(f"{key:>26}: {value}")


if __name__ == "__main__":
    main()
