"""Login throttling: after too many failed log-ins for one username, or from one address,
further attempts are refused for a while, whatever the password.

Counts live in Django's cache (shared between web processes when the cache is
Redis), one counter per username and one per client address, each expiring
``RENOWN_LOGIN_WINDOW_SECONDS`` after its first failure. Every login passes
through Django's ``authenticate()``, so the gate is the authentication backend
(``ThrottledModelBackend``, Django's ModelBackend in front of which it stands): it
refuses (PermissionDenied) a locked username or address before any password is
checked, for the recruiter login, the admin login and anything else that
authenticates. Failures are
counted from the ``user_login_failed`` signal; a successful login clears its
username's counter (not the address's: one right password must not unlock a
guessing address).

A completed password reset (the emailed link, ``renown_site.views.PasswordResetConfirmView``)
lifts the lockout for that account, as the lockout message promises: it clears the
username's counter and, for the rest of the window, lets that one username past an
address lockout (the failures that locked the account locked the address it typed
from too). The address stays locked for every other username: whoever completes a
reset proves they own that one account's mailbox, nothing about the others.

Small on purpose instead of django-axes: no models, no middleware, no
migrations, and the address comes from ``REMOTE_ADDR`` only (behind a proxy,
configure the proxy to set it; a client-supplied X-Forwarded-For is not trusted).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser, User
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest

from renown.conf import at_least, register_defaults

DEFAULT_MAX_FAILURES = 5
DEFAULT_WINDOW_SECONDS = 15 * 60

# The site's own settings, known to Renown's settings checks like the apps' (renown.conf).
DEFAULTS = {
    "RENOWN_LOGIN_MAX_FAILURES": DEFAULT_MAX_FAILURES,
    "RENOWN_LOGIN_WINDOW_SECONDS": DEFAULT_WINDOW_SECONDS,
}
register_defaults(
    __name__,
    DEFAULTS,
    validators={
        "RENOWN_LOGIN_MAX_FAILURES": at_least(1),
        "RENOWN_LOGIN_WINDOW_SECONDS": at_least(1),
    },
)


def _max_failures() -> int:
    return int(getattr(settings, "RENOWN_LOGIN_MAX_FAILURES", DEFAULT_MAX_FAILURES))


def _window() -> int:
    return int(getattr(settings, "RENOWN_LOGIN_WINDOW_SECONDS", DEFAULT_WINDOW_SECONDS))


def client_address(request: HttpRequest | None) -> str:
    """The client's address as the web server saw it ("" without a request)."""
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))


def _user_digest(username: str) -> str:
    # Hashed: cache keys must be short and plain whatever a username contains.
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]


def _reset_key(username: str) -> str:
    return f"renown:login:reset:{_user_digest(username)}"


def _keys(username: str, address: str) -> list[str]:
    keys = []
    if username:
        keys.append(f"renown:login:user:{_user_digest(username)}")
    if address:
        digest = hashlib.sha256(address.encode()).hexdigest()[:32]
        keys.append(f"renown:login:addr:{digest}")
    return keys


@dataclass(frozen=True)
class Lockout:
    """A refusal: how long until the next attempt is allowed."""

    seconds: int

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.seconds / 60))

    @property
    def message(self) -> str:
        return (
            "Too many failed log-ins for this account or from this address. "
            f"Try again in {self.minutes} minute{'s' if self.minutes != 1 else ''}, "
            "or reset your password."
        )


def login_lockout(*, username: str, address: str) -> Lockout | None:
    """The lockout in force for this username or address, or None when a try is allowed."""
    now = time.time()
    longest = 0.0
    if username and cache.get(_reset_key(username)):
        address = ""  # reset by its owner: only the account's own new failures count
    for key in _keys(username, address):
        count = cache.get(key, 0)
        since = cache.get(f"{key}:since")
        if count >= _max_failures() and since is not None:
            longest = max(longest, since + _window() - now)
    return Lockout(seconds=math.ceil(longest)) if longest > 0 else None


def login_failure_record(*, username: str, address: str) -> None:
    """Count one failed log-in against the username and the address."""
    window = _window()
    for key in _keys(username, address):
        if cache.add(f"{key}:since", time.time(), window):
            cache.set(key, 0, window)
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls: start again
            cache.set(key, 1, window)


def login_success_record(*, username: str) -> None:
    """Forget the username's failures after a successful log-in."""
    for key in _keys(username, ""):
        cache.delete_many([key, f"{key}:since"])


def password_reset_record(*, username: str) -> None:
    """Lift the lockout for a username whose password was just reset through the email link.

    Clears the username's failures and, for one window, exempts the username from
    address lockouts (the address stays locked for every other username).
    """
    login_success_record(username=username)
    cache.set(_reset_key(username), True, _window())


class ThrottledModelBackend(ModelBackend):
    """Django's ModelBackend that first refuses a locked-out username or address.

    PermissionDenied stops ``authenticate()`` before the password is checked (and
    Django then sends ``user_login_failed``, which counts the try too).
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: object,
    ) -> User | None:
        name = username or kwargs.get(get_user_model().USERNAME_FIELD) or ""
        if login_lockout(username=str(name), address=client_address(request)):
            raise PermissionDenied("Locked out after too many failed log-ins.")
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_login_failed, dispatch_uid="renown-login-throttle-failed")
def _on_login_failed(
    sender: object,
    credentials: Mapping[str, object],
    request: HttpRequest | None = None,
    **_: object,
) -> None:
    username = str(credentials.get("username", ""))
    login_failure_record(username=username, address=client_address(request))


@receiver(user_logged_in, dispatch_uid="renown-login-throttle-succeeded")
def _on_logged_in(
    sender: object, request: HttpRequest | None, user: AbstractBaseUser, **_: object
) -> None:
    login_success_record(username=user.get_username())
