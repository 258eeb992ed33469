"""``python -m damai`` is the same as the ``damai`` command."""

from damai.cli.main import main

main()
