"""An in-memory store is one shared SQLite connection: threads must take turns on it (a job
runner writes while a page or a test reads)."""

from __future__ import annotations

import threading

from damai.storage import open_store


def test_threads_share_an_in_memory_store_without_nested_transactions() -> None:
    store = open_store("sqlite://:memory:")
    errors: list[BaseException] = []

    def work(kind: str) -> None:
        try:
            for i in range(300):
                if kind == "write":
                    with store.db.write() as conn:
                        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
                        conn.exec_driver_sql(f"INSERT INTO t VALUES ({i})")
                else:
                    store.jobs.get(1)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in ("write", "read", "write")]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not errors, errors[0]
        with store.db.read() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 600
    finally:
        store.close()
