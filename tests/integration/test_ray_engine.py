"""The Ray engine: same output as the local engine, clear input errors, nothing left running.

The tests that start Ray are marked ``ray``; the others check the shared code without Ray.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import ray

from damai.cli.understand import classify_stream
from damai.errors import InputError
from damai.understand.data import Table
from damai.understand.features import FeatureConfig
from damai.understand.model import TrainConfig, train_classifier
from damai.understand.ray_engine import ShardWorker, _Batch, classify_archive, ray_session

HATE = ["dasar {} otak udang, goblok", "{} tolol, pergi sana bego", "muka {} kayak monyet, bodoh",
        "goblok kali si {} itu", "{} sampah masyarakat, tolol"]
CALM = ["selamat ulang tahun {}, semoga panjang umur", "{} sudah sampai di rumah belum",
        "nanti sore kita ngopi bareng {} ya", "terima kasih {} sudah membantu panitia",
        "{} lagi belajar masak rendang"]
HOAX = ["viral! vaksin dari {} berisi chip pelacak, sebarkan", "awas, air galon {} dicampur "
        "racun, bagikan sebelum dihapus", "pesan berantai: {} bilang besok gempa besar pasti"]
NAMES = ["bambang", "siti", "yusuf", "dewi", "hendra", "putri", "rudi", "maya", "fajar", "ani"]


def _table() -> Table:
    texts: list[str] = []
    rows: list[list[float]] = []
    for name in NAMES:
        for templates, row in ((HATE, [1.0, 0.0]), (CALM, [0.0, 0.0]), (HOAX, [0.0, 1.0])):
            texts += [t.format(name) for t in templates]
            rows += [row] * len(templates)
    return Table(texts, ["hate_speech", "hoax"], np.asarray(rows), ["test"] * len(texts))


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("model")
    config = TrainConfig(features=FeatureConfig(word_bits=14, char_bits=14))
    train_classifier(_table(), config, name="ray-test").save(folder)
    return folder


def _post(i: int) -> dict[str, Any]:
    templates = HATE + CALM + HOAX + ["", "🙏🙏", "ok", "Banjir di Jalan Sudirman, hindari ya"]
    return {"id": f"p{i}", "text": templates[i % len(templates)].format(NAMES[i % len(NAMES)]),
            "likes": i % 7}


BAD_LINES = [b"{not json", b"[1, 2]", b'{"id": "no-text"}', b'{"text": 5}', b"", b"   "]


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """Two JSONL shards (one with bad lines) and one Parquet shard (one null text)."""
    folder = tmp_path / "archive"
    folder.mkdir()
    lines = [orjson.dumps(_post(i)) for i in range(40)]
    (folder / "a.jsonl").write_bytes(b"\n".join(lines[:5] + BAD_LINES + lines[5:]) + b"\n")
    (folder / "b.jsonl").write_bytes(b"".join(orjson.dumps(_post(i)) + b"\n"
                                              for i in range(40, 95)))
    rows = [_post(i) for i in range(95, 130)]
    rows[3]["text"] = None
    pq.write_table(pa.Table.from_pylist(rows), folder / "c.parquet", row_group_size=10)
    return folder


def _local(path: Path, model_dir: Path) -> list[dict[str, Any]]:
    """What the local engine writes for one shard (a Parquet shard goes in as JSONL)."""
    if path.suffix == ".parquet":
        data = b"".join(orjson.dumps(r) + b"\n" for r in pq.read_table(path).to_pylist())
    else:
        data = path.read_bytes()
    sink = io.BytesIO()
    classify_stream(io.BytesIO(data), sink, model_dir, name=str(path))
    return [orjson.loads(line) for line in sink.getvalue().splitlines()]


def _assert_same_as_local(archive: Path, out: Path, model_dir: Path) -> None:
    for shard in sorted(archive.iterdir()):
        got = [orjson.loads(line) for line in (out / f"{shard.stem}.jsonl").read_bytes()
               .splitlines()]
        want = _local(shard, model_dir)
        assert len(want) > 0
        assert got == want, shard.name
    assert sorted(p.name for p in out.iterdir()) == ["a.jsonl", "b.jsonl", "c.jsonl"]


# -- Ray's processes -----------------------------------------------------------------------------
def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(parent, []).append(int(entry.name))
    return tree


def _descendants() -> set[int]:
    tree, found, todo = _children(), set(), [os.getpid()]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_gone(pids: set[int], seconds: float = 30.0) -> set[int]:
    deadline = time.monotonic() + seconds
    while (alive := {p for p in pids if _alive(p)}) and time.monotonic() < deadline:
        time.sleep(0.2)
    return alive


def _listening(pids: set[int]) -> list[str]:
    """The local addresses (hex, as /proc/net shows them) that ``pids`` listen on over TCP."""
    inodes: set[str] = set()
    for pid in pids:
        try:
            links = [str(fd.readlink()) for fd in Path(f"/proc/{pid}/fd").iterdir()]
        except OSError:
            continue
        inodes |= {link[8:-1] for link in links if link.startswith("socket:[")}
    found = []
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:
                found.append(fields[1].rsplit(":", 1)[0])
    return found


LOOPBACK = {"0100007F", "0000000000000000FFFF00000100007F", "00000000000000000000000001000000"}


@pytest.fixture
def no_ray_left() -> Iterator[set[int]]:
    """Collects Ray's processes while it runs (the test adds them); none may outlive the test."""
    seen: set[int] = set()
    yield seen
    if ray.is_initialized():  # pragma: no cover - only when the code under test leaks
        ray.shutdown()
        pytest.fail("Ray was left initialised")
    assert seen, "the test did not record Ray's processes"
    assert not _wait_gone(seen), "Ray processes outlived the run"


# -- without Ray --------------------------------------------------------------------------------
@pytest.mark.slow  # trains the tiny model
def test_actor_code_is_the_local_engine(model_dir: Path, archive: Path) -> None:
    data = (archive / "a.jsonl").read_bytes()
    result = ShardWorker(str(model_dir)).classify(_Batch("a.jsonl", 1,
                                                         lines=data.splitlines(True)))
    assert [orjson.loads(line) for line in result.lines] == _local(archive / "a.jsonl",
                                                                   model_dir)
    assert [m.split(": ", 1)[0] for m in result.skipped] == [
        "a.jsonl:6", "a.jsonl:7", "a.jsonl:8", "a.jsonl:9"]


def test_glob_matching_nothing_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="matches no file"):
        classify_archive(str(tmp_path / "nowhere" / "*.jsonl"), tmp_path / "out")
    assert not ray.is_initialized()


def test_parquet_without_text_names_its_columns(tmp_path: Path) -> None:
    pq.write_table(pa.table({"id": ["1"], "isi": ["halo"]}), tmp_path / "x.parquet")
    with pytest.raises(InputError, match="no column 'text'; the file has 'id', 'isi'"):
        classify_archive(str(tmp_path / "*.parquet"), tmp_path / "out")
    assert not ray.is_initialized()


def test_output_may_not_overwrite_input(archive: Path) -> None:
    with pytest.raises(InputError, match="would overwrite the input"):
        classify_archive(str(archive / "*.jsonl"), archive)


def test_missing_model_is_an_input_error(archive: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"model\.json is missing"):
        classify_archive(str(archive / "*"), tmp_path / "out", tmp_path / "no-model")
    assert not ray.is_initialized()


# -- on Ray ---------------------------------------------------------------------------------------
@pytest.mark.ray
@pytest.mark.timeout(300)
def test_ray_output_equals_local_engine(model_dir: Path, archive: Path, tmp_path: Path,
                                        no_ray_left: set[int]) -> None:
    def during_run(_: int) -> None:
        no_ray_left.update(_descendants())

    out = tmp_path / "out"
    skipped: list[str] = []
    report = classify_archive(str(archive / "*"), out, model_dir, workers=2, batch=7,
                              warn=skipped.append, progress=during_run)
    assert report["posts"] == 40 + 55 + 34
    assert report["files"] == 3
    assert report["skipped"] == len(skipped) == 5
    assert report["workers"] == 2
    assert not ray.is_initialized()
    _assert_same_as_local(archive, out, model_dir)


@pytest.mark.ray
@pytest.mark.timeout(300)
def test_local_ray_stays_on_loopback_and_is_reused(model_dir: Path, archive: Path,
                                                   tmp_path: Path,
                                                   no_ray_left: set[int]) -> None:
    with ray_session(workers=2) as cpus:
        assert cpus == 2
        assert {n["NodeManagerAddress"] for n in ray.nodes()} == {"127.0.0.1"}
        listening = _listening(_descendants() | {os.getpid()})
        assert listening and set(listening) <= LOOPBACK
        # three actors on two CPUs share them; an existing session is used and left running
        report = classify_archive(str(archive / "*.jsonl"), tmp_path / "out", model_dir,
                                  workers=3)
        assert report["workers"] == 3 and report["posts"] == 95
        assert ray.is_initialized()
        no_ray_left.update(_descendants())
    assert not ray.is_initialized()
