"""Bulk-refresh progress: the organisation's refresh cycles, counted from their snapshots."""

from __future__ import annotations

from typing import Protocol

from django.db.models import QuerySet
from rest_framework import mixins, serializers

from renown.api import access
from renown.api.serializers import ApiModelSerializer
from renown.api.views import ApiViewSet
from scoring.models import RefreshCycle
from scoring.selectors import refresh_cycle_list_with_progress


class CycleProgress(Protocol):
    """A cycle as ``refresh_cycle_list_with_progress`` annotates it."""

    @property
    def total(self) -> int: ...
    @property
    def done_count(self) -> int: ...
    @property
    def failed_count(self) -> int: ...


class RefreshCycleSerializer(ApiModelSerializer[RefreshCycle]):
    done = serializers.IntegerField(source="done_count", read_only=True)
    failed = serializers.IntegerField(source="failed_count", read_only=True)
    skipped = serializers.IntegerField(source="skipped_count", read_only=True)
    remaining = serializers.SerializerMethodField()

    class Meta:
        model = RefreshCycle
        fields = [
            "id", "label", "status", "started_at", "finished_at", "total", "done", "failed",
            "skipped", "remaining", "error",
        ]  # fmt: skip
        read_only_fields = fields

    def get_remaining(self, cycle: CycleProgress) -> int:
        return max(0, int(cycle.total) - int(cycle.done_count) - int(cycle.failed_count))


class RefreshCycleViewSet(ApiViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Where each refresh of the organisation's accounts stands (done, failed, remaining)."""

    serializer_class = RefreshCycleSerializer
    lookup_url_kwarg = "cycle_id"
    lookup_value_regex = r"[0-9]+"
    filterset_fields = ["status"]
    ordering = ["-started_at", "-id"]
    ordering_fields = ["started_at", "id"]
    access = {"list": access.READERS, "retrieve": access.READERS}

    def get_queryset(self) -> QuerySet[RefreshCycle]:
        if getattr(self, "swagger_fake_view", False):
            return RefreshCycle.objects.none()
        return refresh_cycle_list_with_progress(
            RefreshCycle.objects.filter(organization=self.organization)
        )
