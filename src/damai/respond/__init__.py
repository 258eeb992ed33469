"""Respond: the counter-narrative library, recommendation, claim matching, drafting and review.

Pure domain code: no store, no web. ``damai.storage`` keeps what this package defines, and the
pipeline, web and CLI layers put the two together.
"""
