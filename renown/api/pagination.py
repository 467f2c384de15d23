"""Cursor pagination for every list: stable under inserts, no COUNT(*).

A page that has a next one says so twice: ``next`` in the body and a ``Link:
<next>; rel="next"`` header (RFC 8288). A list read with ``updated_after``
(``renown.api.incremental``) pages with a keyset cursor over (time, id) instead of
DRF's position and offset: DRF filters on the first ordering field alone and skips
rows sharing its value by counting them, so a row that changes between two pages
shifts the count and an unchanged row is skipped (and more than 1,000 rows sharing
one time, as a bulk import writes them, cannot be paged at all).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from renown.api import incremental

_Model = TypeVar("_Model", bound=Model)
_Row = TypeVar("_Row")


class ApiCursorPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"
    ordering_param = "ordering"  # the views' ApiOrderingFilter's

    def paginate_queryset(
        self, queryset: QuerySet[_Model, _Row], request: Request, view: APIView | None = None
    ) -> list[_Row] | None:
        self.incremental_page = False
        self.incremental_next: str | None = None
        # A view with IncrementalListMixin (typed apart from DRF's views: looked up by name).
        sources_of = getattr(view, "incremental_sources", None)
        if sources_of is not None and incremental.requested(request):
            return self.paginate_incremental(queryset, request, sources_of)  # type: ignore[return-value]
        # A cursor is opaque but client-held: one whose position is not a value of the
        # ordering column (?cursor= crafted, p=abc on an id) is invalid, not a 500.
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, ValidationError):
            raise NotFound(self.invalid_cursor_message) from None

    def paginate_incremental(
        self,
        queryset: QuerySet[Model, object],
        request: Request,
        sources_of: Callable[[QuerySet[Model, object]], list[incremental.Source]],
    ) -> list[object]:
        """A page of an ``updated_after`` read (rows and tombstones, in (time, id) order)."""
        since = incremental.parse_updated_after(request.query_params[incremental.UPDATED_AFTER])
        if request.query_params.get(self.ordering_param):
            raise DrfValidationError(
                {
                    self.ordering_param: [
                        "An updated_after read is in (updated_at, id) order; leave ordering out."
                    ]
                }
            )
        self.request = request
        self.page_size = self.get_page_size(request) or ApiCursorPagination.page_size
        encoded = request.query_params.get(self.cursor_query_param)
        position = incremental.Position.decode(encoded) if encoded is not None else None
        page, last = incremental.keyset_page(
            sources_of(queryset),
            since=since,
            position=position,
            size=self.page_size,
        )
        if last is not None:
            self.incremental_next = replace_query_param(
                request.build_absolute_uri(), self.cursor_query_param, last.encode()
            )
        self.incremental_page = True
        return page

    def get_paginated_response(self, data: object) -> Response:
        if getattr(self, "incremental_page", False):
            # Forward only: a sync reads on from where it stopped, never back.
            next_link, previous_link = self.incremental_next, None
        else:
            next_link, previous_link = self.get_next_link(), self.get_previous_link()
        headers = {"Link": f'<{next_link}>; rel="next"'} if next_link else None
        return Response(
            {"next": next_link, "previous": previous_link, "results": data}, headers=headers
        )
