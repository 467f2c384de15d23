from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from applicants.models import Applicant


@login_required
def applicant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The platform's own applicant page, with Renown's card on it (docs/install.md)."""
    applicant = get_object_or_404(Applicant, pk=pk)
    return render(request, "applicants/applicant_detail.html", {"applicant": applicant})
