"""Starting the web server: ``damai serve`` and ``damai demo``.

The app is built by :func:`damai.web.app.create_app`; this module only runs it under uvicorn, so
the web layer never imports the CLI.
"""

from __future__ import annotations

import logging
import threading

from damai.cli.common import out, store_from

__all__ = ["run"]

log = logging.getLogger("damai.serve")


def _warm(db: str | None) -> None:
    """Load the embedding model and embed the library in the background (the recommender is kept
    per process), so the first triage page shows its recommendations without that wait."""
    from damai.pipeline.recommend import warm

    try:
        with store_from(db, migrate=False) as store:
            warm(store)
    except Exception:  # a failed warm-up only means a slower first page
        log.warning("recommender warm-up failed; the first page will build it", exc_info=True)


def run(db: str | None, *, host: str, port: int) -> None:
    import uvicorn

    from damai.web.app import create_app

    out.print(f"Dasbor Damai / Damai dashboard: http://{host}:{port}/  (Ctrl-C untuk berhenti / "
              "to stop)", highlight=False)
    threading.Thread(target=_warm, args=(db,), name="damai-warm", daemon=True).start()
    uvicorn.run(create_app(db), host=host, port=port, log_level="warning",
                server_header=False)  # no "server: uvicorn": it tells an attacker the stack
