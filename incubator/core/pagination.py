"""Bounded pagination for pages and API lists."""
from __future__ import annotations

from flask import request

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100


def page_args(default_per_page: int = DEFAULT_PER_PAGE) -> tuple[int, int]:
    """Read ``page`` and ``per_page`` from the query string, clamped to sane bounds."""
    page = request.args.get("page", 1, type=int) or 1
    per_page = request.args.get("per_page", default_per_page, type=int) or default_per_page
    return max(page, 1), min(max(per_page, 1), MAX_PER_PAGE)
