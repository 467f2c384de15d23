"""Forms of the recruiter UI: a decision, a dispute, its resolution, evidence, accounts, refresh."""

from __future__ import annotations

from django import forms

from candidates.models import EvidenceKind, Network
from hiring.models import DecisionKind, Dispute
from hiring.review.decisions import OUTSIDE_RENOWN_ATTESTATION


class DecisionForm(forms.Form):
    """A decision; the review page shows it twice: the decision through Renown, and a
    rejection for reasons outside Renown (``outside_renown``, with the attestation)."""

    kind = forms.ChoiceField(
        label="Decision", choices=DecisionKind.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you looked at and why you decided so. It is part of the record.",
    )
    review_token = forms.CharField(widget=forms.HiddenInput, required=False)
    outside_renown = forms.BooleanField(widget=forms.HiddenInput, required=False)
    attested = forms.BooleanField(label=OUTSIDE_RENOWN_ATTESTATION.rstrip("."), required=False)


class DisputeForm(forms.Form):
    statement = forms.CharField(
        label="What the candidate disputes",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Their words, or a faithful summary: which data they say are wrong or incomplete.",
    )


class DisputeResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label="Result of the reinvestigation",
        choices=[
            (Dispute.Resolution.CONFIRMED.value, Dispute.Resolution.CONFIRMED.label),
            (Dispute.Resolution.CORRECTED.value, Dispute.Resolution.CORRECTED.label),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="What the reinvestigation found",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sent to the candidate with the result.",
    )


class EvidenceForm(forms.Form):
    """Offline evidence a recruiter was shown: a talk, a book, an award..."""

    kind = forms.ChoiceField(label="Kind", choices=EvidenceKind.choices)
    title = forms.CharField(label="Title", max_length=500)
    venue = forms.CharField(label="Venue or organisation", max_length=300, required=False)
    date = forms.DateField(
        label="Date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    url = forms.URLField(
        label="Link",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="An http(s) page that shows it; it is not fetched.",
    )
    reference = forms.CharField(
        label="Reference",
        max_length=300,
        required=False,
        help_text="Where it can be checked without a link: an ISBN, a DOI, a certificate number.",
    )


class AccountForm(forms.Form):
    """An account a recruiter matched to the candidate: the candidate's handle, never a name search."""

    network = forms.ChoiceField(label="Network", choices=Network.choices)
    handle = forms.CharField(
        label="Handle",
        max_length=255,
        help_text="As the candidate gave it (e.g. alice.bsky.social, @alice@mastodon.social).",
    )


class VerifyForm(forms.Form):
    """A recruiter's verdict on one piece of evidence or one account."""

    decision = forms.ChoiceField(choices=[("verify", "Verify"), ("reject", "Reject")])


class RefreshForm(forms.Form):
    """What to refresh: the whole organisation, or one job's candidates."""

    job = forms.TypedChoiceField(
        label="Candidates to refresh",
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Fetches every active account again from its network, then rescores.",
    )

    def __init__(self, *args: object, jobs: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["job"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 - declared above
        field.choices = [("", "Every candidate of the organisation")] + [
            (str(pk), f"Candidates of: {title}") for pk, title in jobs
        ]


class IdListField(forms.Field):
    """Several ids under one name (checkboxes): a list of ints; which exist is the
    service's to say."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: object) -> list[int]:
        values = (
            value if isinstance(value, list | tuple) else ([] if value in (None, "") else [value])
        )
        ids = []
        for item in values:
            try:
                pk = int(str(item))
            except ValueError:
                raise forms.ValidationError(f"{item!r} is not a screening id.") from None
            if not 0 < pk < 2**63:  # what the id columns hold
                raise forms.ValidationError(f"{item!r} is not a screening id.")
            ids.append(pk)
        return ids


class QueueBulkForm(forms.Form):
    """The review queue's multi-select: advance or hold with one reason, or assign."""

    ACTIONS = [
        ("advance", "Advance the selected"),
        ("hold", "Hold the selected"),
        ("assign", "Assign the selected to me"),
        ("release", "Release the selected (unassign)"),
    ]
    screening = IdListField(
        label="Selected candidates", error_messages={"required": "Select at least one candidate."}
    )
    action = forms.ChoiceField(label="Action", choices=ACTIONS)
    reason = forms.CharField(
        label="Reason (for advance or hold)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One reason for everyone selected: it is recorded with each decision, "
        "under your name. Rejections are decided one by one, on each candidate's page.",
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        action = cleaned.get("action")
        if action in ("advance", "hold") and not str(cleaned.get("reason", "")).strip():
            self.add_error("reason", "Say why: the reason is part of each record.")
        return cleaned
