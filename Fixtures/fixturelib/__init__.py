"""Shared code for the fake Heroku API and its fixture generators.

Modules:
    common   deterministic ids, timestamp formats, reading and writing day folders
    render   turns an account model into API bodies keyed by request path
    changes  computes and applies per-day change lists (used by the synthetic account)
"""
