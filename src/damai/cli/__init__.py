"""The ``damai`` command line: thin commands over importable functions."""
