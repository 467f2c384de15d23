"""The site's login form, which names a login lockout (``renown_site.login_throttle``)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from renown_site import login_throttle


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login form: says plainly when the account or address is locked out.

    The lockout itself is enforced by ``renown_site.login_throttle.ThrottledModelBackend``
    for every login path; this form only turns it into a clear message.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": "%(message)s",
    }

    def clean(self) -> dict[str, object]:
        lockout = login_throttle.login_lockout(
            username=self.cleaned_data.get("username") or "",
            address=login_throttle.client_address(self.request),
        )
        if lockout is not None:
            raise forms.ValidationError(
                self.error_messages["locked"], code="locked", params={"message": lockout.message}
            )
        return super().clean()
