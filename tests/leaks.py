"""Where a secret shown once in a page went besides that page's body (shared by admin tests)."""

from __future__ import annotations

from typing import Any

from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client


def secret_leaks(client: Client, response: Any, secret: str, *, next_page: str) -> list[str]:
    """The places that carry ``secret``: cookies (the messages cookie decoded), session, next page.

    ``next_page`` is fetched with the same client afterwards, so a message queued
    in the session or cookie would be rendered there.
    """
    found = []
    for name, morsel in response.cookies.items():
        if secret in morsel.value:
            found.append(f"cookie {name}")
        if name == CookieStorage.cookie_name:
            stored = CookieStorage(response.wsgi_request)._decode(morsel.value) or []
            found += [f"messages cookie: {m}" for m in stored if secret in str(m)]
    found += [f"session {key}" for key, value in client.session.items() if secret in str(value)]
    if secret in client.get(next_page).content.decode():
        found.append("the next page")
    return found
