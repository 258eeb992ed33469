"""Understand: normalise Indonesian text, identify its language, score it on every label."""
