from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from api.models import Posting


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"postings": Posting.objects.all()})
