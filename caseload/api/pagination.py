"""Pages of a list: ?page=N, and ?page_size= up to API_MAX_PAGE_SIZE (default PAGE_SIZE)."""

from django.conf import settings
from rest_framework.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    """`count`, `next`, `previous` and `results`, as DRF's page-number pagination."""

    page_size_query_param = "page_size"

    @property
    def max_page_size(self) -> int:  # type: ignore[override]
        return settings.API_MAX_PAGE_SIZE
