"""The one pagination of the API: page numbers, bounded so that no request asks the
database for an absurd offset (an unbounded page number overflows SQLite's integers);
``CappedPages`` for the big public lists counts as the portal's pages do (``web.pagination``)."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from shuangsuiji.web import pagination as web_pagination
from shuangsuiji.web.pagination import COUNT_CAP

MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 500


class Pages(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)


class CappedPages(Pages):
    """Pages whose ``count`` stops at ``web.pagination.COUNT_CAP``: ``count_capped`` then says
    there are more (no COUNT(*) over millions of public results on every call)."""

    class Output(Schema):
        items: list[Any]
        count: int = Field(..., description=f"条数；超过 {COUNT_CAP} 条时为 {COUNT_CAP}")
        count_capped: bool = Field(..., description=f"是否超过 {COUNT_CAP} 条（此时只给出条数上限）")

    def paginate_queryset(self, queryset, pagination, request, **params):
        page_size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * page_size
        n, cap = web_pagination.capped_count(queryset), web_pagination.COUNT_CAP
        return {
            self.items_attribute: queryset[offset : offset + page_size],
            "count": min(n, cap),
            "count_capped": n > cap,
        }
