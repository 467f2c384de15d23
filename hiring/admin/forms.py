"""The forms of hiring's admin: the rule form, rule approval, bias audits, jobs, applications."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.safestring import SafeString

from hiring import services
from hiring.jurisdictions import JURISDICTION_CHOICES
from hiring.models import (
    RULE_DEFINITION_FIELDS,
    Application,
    Job,
    MissingDataPolicy,
    RuleStatus,
    ScreeningRule,
)
from hiring.screening import metrics
from hiring.services.jobs import JOB_FIELDS
from hiring.services.rules import SERIOUS_MISSING_DATA_FAIL
from scoring.models import StatsWindow
from scoring.scorers import InfluenceScorer, ReputationScorer

SCORER_CHOICES = [
    (InfluenceScorer.name, "Influence score (1-100)"),
    (ReputationScorer.name, "Offline reputation score (0-100)"),
]
_METRIC_HELP = (
    "A Renown score, or a vendor's score on its own scale (the vendors with scores for "
    "the organisation's candidates). A median, maximum or minimum reads the window "
    "picked under Window."
)

# The error a Preview press ends in (nothing is saved); the rule page shows no error
# banner for it (``ScreeningRuleAdmin.render_change_form``).
PREVIEW_ONLY = (
    "Preview only: nothing was saved. The summary above shows what these values would do. "
    "Press Save to keep them."
)


class ScreeningRuleForm(forms.ModelForm):  # type: ignore[type-arg]
    metric = forms.ChoiceField(
        label="Metric",
        help_text=_METRIC_HELP,
        error_messages={
            "invalid_choice": "%(value)s is not a metric this job can use: choose a Renown "
            "score or a vendor with scores for the organisation's candidates.",
        },
    )
    go_live = forms.BooleanField(
        required=False,
        initial=True,
        label="Make live when saved",
        help_text="A screen-out rule is saved as a draft whatever this says: it goes live "
        "when a second HR admin approves it.",
    )
    acknowledgement = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Acknowledgement of serious warnings",
        help_text="Needed when the rule has serious fairness warnings (listed above) or "
        "counts missing data as failing: say in words why it should go live anyway. It is "
        "kept in the audit trail with the warnings it answers.",
    )
    window_days = forms.TypedChoiceField(
        coerce=int,
        choices=StatsWindow.choices,
        initial=90,
        label="Window",
        help_text="The days a median, maximum or minimum reads (statistics kept for each).",
    )
    # Set on the class the admin builds for the "Preview" button: validate, never save.
    previewing = False
    # Set by clean(): the draft is unchanged and only its serious warnings are acknowledged
    # (``services.rule_acknowledge``, no new version).
    acknowledging_only = False

    class Meta:
        model = ScreeningRule
        fields = [*RULE_DEFINITION_FIELDS, "job", "change_note"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # A rule's group is one of its own job's: offer only those, once the job is known
        # (a version's job is fixed; a new rule's comes with ?job= from the job's page).
        job = self._chosen_job()
        group = self.fields.get("group")
        if job and isinstance(group, forms.ModelChoiceField) and group.queryset is not None:
            group.queryset = group.queryset.filter(job=job)
        self._offer_metrics(job)

    def _offer_metrics(self, job: Job | None) -> None:
        """The scorers, the vendors with scores for the job's organisation's candidates
        (only once the job is known), and this version's own metric, kept on offer."""
        field = self.fields["metric"]
        if not isinstance(field, forms.ChoiceField):
            raise TypeError("the rule's metric is a choice")
        organization_id = None if job is None else job.organization_id
        offered: list[tuple[str, list[tuple[str, str]]]] = [("Renown scores", SCORER_CHOICES)]
        if organization_id is None:
            field.help_text = (
                f"{_METRIC_HELP} Pick the job first: its organisation's vendors are offered "
                "once it is known (pick it, then press 'Preview (saves nothing)')."
            )
        else:
            vendors = metrics.metric_vendor_choices(organization_id=organization_id)
            if vendors:
                offered.append(("Vendor scores", vendors))
        current = self.instance.metric if self.instance.pk else ""
        if current and current not in {value for _, group in offered for value, _ in group}:
            # A snapshot metric, or a vendor whose scores are gone: the version keeps it.
            version = self.instance.version
            offered.append(
                (
                    f"Version {version}'s metric",
                    [(current, f"{current} (kept from version {version})")],
                )
            )
        field.choices = [("", "---------"), *offered]

    def _chosen_job(self) -> Job | None:
        """The rule's job: the version's, or the job chosen (posted, or ?job= on the add
        page) among those the job field offers this user; None while unknown or not one
        of theirs (?job=abc, another organisation's)."""
        if self.instance.pk:
            version_job = self.instance.job
            return version_job if isinstance(version_job, Job) else None
        field = self.fields.get("job")
        chosen = self.data.get(self.add_prefix("job")) if self.is_bound else self.initial.get("job")
        if not chosen or not isinstance(field, forms.ModelChoiceField):
            return None
        try:
            job = field.clean(chosen)
        except ValidationError:
            return None
        return job if isinstance(job, Job) else None

    @classmethod
    def keeping_window(cls, days: int) -> type[ScreeningRuleForm]:
        """The form for a rule from before the fixed windows: its own window stays on
        offer (read from the history) until the HR admin picks a kept one."""
        field = forms.TypedChoiceField(
            coerce=int,
            choices=[
                *StatsWindow.choices,
                (days, f"{days} days (read from the history: choose a window above)"),
            ],
            initial=days,
            label="Window",
            help_text=cls.base_fields["window_days"].help_text,
        )
        return type("ScreeningRuleKeepingWindowForm", (cls,), {"window_days": field})

    def draft(self) -> ScreeningRule | None:
        """The version these values describe (unsaved), or None while fields are missing."""
        cleaned = getattr(self, "cleaned_data", None) or {}
        previous = self.instance if self.instance.pk else None
        job = cleaned.get("job") or (previous.job if previous is not None else None)
        needed = [f for f in RULE_DEFINITION_FIELDS if f != "group"]
        if job is None or any(cleaned.get(f) is None for f in needed):
            return None
        try:
            metrics.metric_source(cleaned["metric"])
        except ValueError:
            return None
        rule = ScreeningRule(
            job=job,
            lineage=previous.lineage if previous is not None else uuid.uuid4(),
            version=previous.version + 1 if previous is not None else 1,
            status=RuleStatus.DRAFT,
        )
        for name in RULE_DEFINITION_FIELDS:
            setattr(rule, name, cleaned.get(name))
        return rule

    def clean(self) -> dict[str, object]:
        cleaned = self._clean_definition()
        if self.previewing:
            # The admin re-renders the form with the preview; nothing is saved.
            raise ValidationError(PREVIEW_ONLY, code="preview")
        draft = self.draft() if not self.errors else None
        acknowledgement = str(cleaned.get("acknowledgement", "")).strip()
        waiting = bool(self.instance.pk and self.instance.acknowledgement_pending)
        if self.acknowledging_only and not waiting and not services.serious_warnings(self.instance):
            self.add_error(
                "acknowledgement",
                f"Nothing changed, and version {self.instance.version} has no serious warning "
                "to acknowledge: a new version would be the same as this one.",
            )
        elif draft is not None and cleaned.get("go_live") and not acknowledgement:
            serious = services.serious_warnings(draft)
            if serious:
                self.add_error(
                    "acknowledgement",
                    f"{len(serious)} serious fairness warning{'s' if len(serious) > 1 else ''} "
                    "(see 'Warnings' above) must be acknowledged in words before this rule "
                    "can go live: "
                    + " ".join(f"({i}) {w.message}" for i, w in enumerate(serious, 1)),
                )
        return cleaned

    def _clean_definition(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        job = cleaned.get("job") or (self.instance.job if self.instance.pk else None)
        group = cleaned.get("group")
        if group is not None and job is not None and group.job_id != job.pk:
            self.add_error("group", "The group belongs to another job.")
        previous = self.instance if self.instance.pk else None
        unchanged = not set(self.changed_data) & set(RULE_DEFINITION_FIELDS)
        if previous is not None and unchanged and not self.previewing:
            self._acknowledge_only(previous, cleaned)
        newly_failing = cleaned.get("missing_data_policy") == MissingDataPolicy.FAIL and (
            previous is None
            or ScreeningRule.objects.get(pk=previous.pk).missing_data_policy
            != MissingDataPolicy.FAIL
        )
        acknowledged = str(cleaned.get("acknowledgement", "")).strip()
        if newly_failing and not acknowledged and not self.previewing:
            self.add_error("acknowledgement", SERIOUS_MISSING_DATA_FAIL)
        metric = cleaned.get("metric")
        if metric:
            try:
                metrics.metric_source(metric)
            except ValueError as exc:
                self.add_error("metric", str(exc))
        return cleaned

    def _acknowledge_only(self, previous: ScreeningRule, cleaned: dict[str, object]) -> None:
        """An unchanged draft with words in the acknowledgement: acknowledge its serious
        warnings as it stands (no new version); anything else unchanged is refused."""
        # A live version its job's change left waiting is acknowledged the same way.
        draft = previous.status == RuleStatus.DRAFT or bool(
            previous.status == RuleStatus.LIVE and previous.acknowledgement_pending
        )
        if not (draft and str(cleaned.get("acknowledgement", "")).strip()):
            raise ValidationError(
                "Nothing changed: a new version would be the same as this one."
                + (
                    " To acknowledge this draft's serious warnings as it stands, write the "
                    "acknowledgement and save."
                    if draft
                    else ""
                )
            )
        if "change_note" in self.changed_data:
            # A note describes a version; acknowledging writes none, so it would be lost.
            self.add_error(
                "change_note",
                "The change note belongs to a new version, and acknowledging a draft as it "
                "stands writes none: this draft keeps its note. Say what you want recorded in "
                "the acknowledgement, or change the rule itself to write a new version.",
            )
        self.acknowledging_only = True


class RuleApprovalForm(forms.Form):
    """The second HR admin's approval of a draft, in their own words
    (``services.rule_approve`` refuses a blank statement, as the API does)."""

    statement = forms.CharField(
        required=False,  # the service says why a blank one is refused
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Your statement",
        help_text="Say in words why this version should go live, and, for any serious "
        "warning not yet acknowledged, why anyway. It is saved with the version and kept "
        "in the audit trail under your name.",
    )


class BiasAuditForm(forms.Form):
    """What LL144 asks to record about a bias audit (6 RCNY 5-301, 5-303)."""

    audited_on = forms.DateField(
        label="Date of the audit", widget=forms.DateInput(attrs={"type": "date"})
    )
    auditor = forms.CharField(max_length=200, label="Auditor (person or firm)")
    auditor_independent = forms.BooleanField(
        required=False,
        label="The auditor is independent",
        help_text="No involvement in using, developing or distributing the tool; no employment "
        "or financial interest (6 RCNY 5-300).",
    )
    data_source = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        initial="Historical data: this job's current screenings in Renown, with the candidates' "
        "voluntary self-identification.",
        label="Source of the data",
    )
    distributed_on = forms.DateField(
        required=False,
        label="The tool's distribution date",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    published = forms.BooleanField(
        required=False,
        label="Publish the summary on the organisation's public audit page",
    )


class SearchableMultipleSelect(FilteredSelectMultiple):
    """Django's searchable two-list select, wrapped as the admin wraps its relation fields:
    its script puts the two lists first in the select's parent, which would put them
    before the field's label."""

    def render(
        self,
        name: str,
        value: object,
        attrs: dict[str, object] | None = None,
        renderer: object | None = None,
    ) -> SafeString:
        return format_html(
            '<div class="related-widget-wrapper">{}</div>',
            super().render(name, value, attrs, renderer),  # type: ignore[arg-type]
        )


class JobForm(forms.ModelForm):  # type: ignore[type-arg]
    """The job, its jurisdictions picked from a searchable list (saved as the same list of
    codes as before, by code)."""

    jurisdictions = forms.MultipleChoiceField(
        choices=JURISDICTION_CHOICES,
        widget=SearchableMultipleSelect("jurisdictions", is_stacked=False),
        help_text="Where it hires: countries, US states and New York City (whose Local Law "
        "144 applies on its own). Type a code or a name to filter the list.",
        error_messages={
            "invalid_choice": "%(value)s is not a jurisdiction Renown knows: choose from the "
            "list (ISO 3166-1 countries, US states, US-NY-NYC for New York City).",
        },
    )

    class Meta:
        model = Job
        fields = ["organization", *JOB_FIELDS]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields.get("jurisdictions")
        known = dict(JURISDICTION_CHOICES)
        kept = [c for c in self.instance.jurisdictions or [] if c not in known]
        if kept and isinstance(field, forms.MultipleChoiceField):
            # A code given before the list (an ISO 3166-2 region elsewhere, e.g. DE-BE, through
            # the API) stays on offer, and chosen, until someone takes it out.
            field.choices = sorted(
                [*JURISDICTION_CHOICES, *((c, f"{c} (kept from the job)") for c in kept)]
            )

    def clean_jurisdictions(self) -> list[str]:
        # In the list's order (by code), whatever order the browser sends them in.
        return sorted(set(self.cleaned_data["jurisdictions"]))


class ApplicationForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Application
        fields = ["job", "candidate", "external_id"]

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        job, candidate = cleaned.get("job"), cleaned.get("candidate")
        if (
            job is not None
            and candidate is not None
            and job.organization_id != candidate.organization_id
        ):
            raise ValidationError("The candidate and the job belong to different organisations.")
        return cleaned
