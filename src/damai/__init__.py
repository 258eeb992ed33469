"""Damai: listen, understand, respond, amplify, alert and measure.

The public API is what ``__all__`` names; a test checks it.
"""

from __future__ import annotations

from damai.errors import DamaiError, InputError, RecordError, SourceError, StorageError
from damai.records import Geo, Post

__all__ = [
    "DamaiError",
    "Geo",
    "InputError",
    "Post",
    "RecordError",
    "SourceError",
    "StorageError",
    "__version__",
]

__version__ = "0.1.0"
