"""Fixtures shared by the integration tests beyond ``tests/conftest.py``."""

from tests.integration.model_helpers import base_model_dir, tiny_bundled

__all__ = ["base_model_dir", "tiny_bundled"]
