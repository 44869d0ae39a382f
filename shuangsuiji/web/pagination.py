"""One way to paginate every list page, and one bounded count for the big public lists."""

from __future__ import annotations

from django.core.paginator import Paginator

PER_PAGE = 25
# Big lists (the public portal's and the public API's) count at most this many rows: no
# COUNT(*) over millions of results on every request; beyond it they say "1000 条以上"
# (the API: ``count_capped``) and offer the first pages only.
COUNT_CAP = 1000


def capped_count(rows) -> int:
    """The number of ``rows`` (a queryset or a list), but at most ``COUNT_CAP`` + 1."""
    if isinstance(rows, list):
        return min(len(rows), COUNT_CAP + 1)
    if hasattr(rows, "capped_count"):  # rows that count themselves (``publicity.published.Lines``)
        return rows.capped_count()
    return rows.order_by()[: COUNT_CAP + 1].count()


class CappedPaginator(Paginator):
    """A paginator whose count stops at ``COUNT_CAP`` + 1 (``capped`` then says so)."""

    @property
    def count(self) -> int:
        if not hasattr(self, "_capped_count"):
            self._capped_count = capped_count(self.object_list)
        return self._capped_count

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def count_label(self) -> str:
        return f"{COUNT_CAP} 条以上" if self.capped else f"{self.count} 条"


def paginate(request, queryset, per_page: int = PER_PAGE, *, paginator_class: type[Paginator] = Paginator) -> dict:
    paginator = paginator_class(queryset, per_page)
    page_obj = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return {
        "page_obj": page_obj,
        "object_list": page_obj.object_list,
        "querystring_without_page": f"{encoded}&" if encoded else "",
    }
