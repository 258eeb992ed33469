"""Starting the web server: ``damai serve`` and ``damai demo``.

The app is built by :func:`damai.web.app.create_app`; this module only runs it under uvicorn, so
the web layer never imports the CLI.
"""

from __future__ import annotations

from damai.cli.common import out

__all__ = ["run"]


def run(db: str | None, *, host: str, port: int) -> None:
    import uvicorn

    from damai.web.app import create_app

    out.print(f"Dasbor Damai / Damai dashboard: http://{host}:{port}/  (Ctrl-C untuk berhenti / "
              "to stop)", highlight=False)
    uvicorn.run(create_app(db), host=host, port=port, log_level="warning",
                server_header=False)  # no "server: uvicorn": it tells an attacker the stack
