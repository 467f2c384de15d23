"""The site's policy middleware covers its own pages and never replaces a view's policy."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from renown.csp import HEADER, POLICY
from renown_site.middleware import ContentSecurityPolicyMiddleware


def answer(path: str, response: HttpResponse) -> HttpResponse:
    def view(request: HttpRequest) -> HttpResponse:
        return response

    return ContentSecurityPolicyMiddleware(view)(RequestFactory().get(path))


def test_a_site_page_gets_the_policy() -> None:
    assert answer("/accounts/login/", HttpResponse())[HEADER] == POLICY


def test_a_policy_the_view_set_is_kept() -> None:
    own = HttpResponse()
    own[HEADER] = "default-src 'none'"
    assert answer("/", own)[HEADER] == "default-src 'none'"


def test_the_admin_is_left_alone() -> None:
    assert HEADER not in answer("/admin/", HttpResponse()).headers
