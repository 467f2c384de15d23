"""The errors hiring's services raise: one base, a few kinds the interfaces map.

``NotPermitted`` is also a Django ``PermissionDenied`` (the web UI answers 403);
the others are refusals of the use case itself, shown to the user as they are.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class ApplicationError(Exception):
    """A use case refused: the message says why, in words for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotPermitted(ApplicationError, PermissionDenied):
    """The user's role in the organisation does not allow this."""


class FourEyesViolation(ApplicationError):
    """A screen-out rule must be approved by a second HR admin, not its author."""


class InvalidTransition(ApplicationError):
    """The object is not in a state where this step is possible."""


class DecisionNotAllowed(ApplicationError):
    """The screening does not support this decision (e.g. a rejection without a screen-out)."""


class WarningNotAcknowledged(ApplicationError):
    """A serious warning needs an acknowledgement in words before the change is made.

    ``warnings`` holds the serious fairness warnings not yet acknowledged (their
    ``as_dict()`` shape), for the admin and the API to show.
    """

    def __init__(self, message: str, warnings: list[dict[str, object]] | None = None) -> None:
        super().__init__(message)
        self.warnings = warnings or []


class StatementRequired(ApplicationError):
    """A step that is a person's decision (acknowledging warnings, approving a rule) was
    asked for without their statement in words (missing, empty or only whitespace).

    ``warnings`` holds the serious fairness warnings the statement would answer, if any
    (their ``as_dict()`` shape), for the admin and the API to show.
    """

    def __init__(self, message: str, warnings: list[dict[str, object]] | None = None) -> None:
        super().__init__(message)
        self.warnings = warnings or []


class NoticeNotDelivered(ApplicationError):
    """A notice could not be delivered (no address, or the mail backend refused it)."""
