"""The host's own applicant page, with Renown's card in it (docs/install.md)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from tests.hostapp.models import Applicant


@login_required
def applicant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    applicant = get_object_or_404(Applicant, pk=pk)
    return render(request, "hostapp/applicant_detail.html", {"applicant": applicant})
