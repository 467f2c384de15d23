"""Warnings about where the rule is used: jurisdictions, automated decisions (GDPR
art. 22), NYC Local Law 144, the FCRA and four-eyes approval.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from hiring.fairness.warning import (
    FairnessWarning,
    Figure,
    RuleContext,
    _and,
    _day,
    _iso,
    add_business_days,
    business_days_between,
)
from hiring.ll144 import ll144_audit_state, one_year_after


def _jurisdiction_warnings(context: RuleContext) -> Iterator[FairnessWarning]:
    if not context.jurisdictions:
        yield FairnessWarning(
            code="jurisdiction.unset",
            severity="warning",
            message=(
                "The job has no jurisdictions, so the legal checks (NYC Local Law 144, "
                "GDPR Art. 22, FCRA) cannot tell whether they apply. Set where the job hires."
            ),
            figure={"jurisdictions": []},
            source="6 RCNY 5-301, 5-304; GDPR Art. 22; 15 U.S.C. 1681b(b)",
        )


# --- automated decisions ---------------------------------------------------------------


def _automated_decision_warnings(context: RuleContext) -> Iterator[FairnessWarning]:
    gdpr, eu = context.gdpr, context.eu
    for rule in context.rules:
        if rule.action == "screen_out" and not rule.human_review:
            figure: Figure = {
                "rule": rule.line,
                "action": rule.action,
                "human_review": False,
                "gdpr": gdpr,
                "eu": eu,
                "third_party_score": context.third_party(rule),
            }
            if gdpr:
                yield FairnessWarning(
                    code="automated_decision.gdpr_art22",
                    severity="serious",
                    message=(
                        f"{rule.line} screens candidates out with no meaningful human review: a "
                        "decision based solely on automated processing, which GDPR Art. 22 "
                        "forbids without an exception and safeguards (human intervention, the "
                        "right to contest). Review must be real, not a token gesture"
                        + (
                            "; the EU AI Act asks for an overseer who can override or stop "
                            "the system."
                            if eu
                            else "."
                        )
                    ),
                    figure=figure,
                    source="GDPR Art. 22(1)-(3); "
                    + ("EU AI Act Art. 14(4), 26(2); " if eu else "")
                    + "WP29 WP251rev.01",
                    subject=rule.line,
                )
            else:
                yield FairnessWarning(
                    code="automated_decision.no_human_review",
                    severity="warning",
                    message=(
                        f"{rule.line} screens candidates out with no meaningful human review. "
                        "Nobody catches a wrong number, a namesake or a break before it costs "
                        "someone the job. Let a person decide every screen-out."
                    ),
                    figure=figure,
                    source="GDPR Art. 22, EU AI Act Art. 14(4) and WP29 WP251rev.01 as the "
                    "standard (not binding where this job hires)",
                    subject=rule.line,
                )
        if gdpr and rule.action != "advisory" and context.third_party(rule):
            yield FairnessWarning(
                code="automated_decision.third_party_score",
                severity="warning",
                message=(
                    f"{rule.line} relies on a score a third party produced. When an employer "
                    "draws strongly on such a score, producing it can itself be an automated "
                    "decision under GDPR Art. 22: ask the producer for its legal basis and "
                    "safeguards, and do not let the score decide alone."
                ),
                figure={"rule": rule.line, "action": rule.action, "third_party_score": True},
                source="CJEU C-634/21 SCHUFA Holding (Scoring), ECLI:EU:C:2023:957; GDPR Art. 22(1)",
                subject=rule.line,
            )


# --- NYC Local Law 144 ---------------------------------------------------------------


def _ll144_warnings(context: RuleContext, use_on: date) -> Iterator[FairnessWarning]:
    if not context.nyc:
        return
    lead = context.ll144_notice_lead_business_days
    notice = context.ll144_notice_on
    earliest = add_business_days(notice, lead) if notice is not None else None
    if notice is None:
        yield FairnessWarning(
            code="ll144.notice_missing",
            severity="serious",
            message=(
                "The job hires in New York City and no Local Law 144 notice to candidates is "
                f"recorded. Any use of the rules, even advisory, needs the notice at least "
                f"{lead} business days before use: that an automated tool is used, the "
                "qualifications and characteristics it assesses, and how to ask for an "
                "alternative process or an accommodation."
            ),
            figure={"notice_on": None, "use_on": use_on.isoformat(), "lead_business_days": lead},
            source="NYC Admin. Code 20-871(b); 6 RCNY 5-304(a), (b)",
        )
    elif earliest is not None and use_on < earliest:
        given = business_days_between(notice, use_on)
        yield FairnessWarning(
            code="ll144.notice_too_late",
            severity="serious",
            message=(
                f"The Local Law 144 notice went out on {_day(notice)}, {given} business days "
                f"before use on {_day(use_on)}; at least {lead} are required. The earliest "
                f"lawful use is {_day(earliest)}."
            ),
            figure={
                "notice_on": notice.isoformat(),
                "use_on": use_on.isoformat(),
                "business_days": given,
                "lead_business_days": lead,
                "earliest_use_on": earliest.isoformat(),
            },
            source="6 RCNY 5-304(b)",
        )
    audit_on = context.bias_audit_on
    audit_figure: Figure = {
        "bias_audit_on": _iso(audit_on),
        "use_on": use_on.isoformat(),
        "auditor": context.bias_audit_auditor or None,
        "independent": context.bias_audit_independent,
        "published": context.bias_audit_published,
    }
    state = ll144_audit_state(audit_on, use_on)
    if audit_on is None or state == "missing":
        yield FairnessWarning(
            code="ll144.audit_missing",
            severity="serious",
            message=(
                "The job hires in New York City and no bias audit of the rules is recorded"
                + (f" before their use on {_day(use_on)}" if audit_on is not None else "")
                + ". Local Law 144 forbids using them until an independent auditor has "
                "audited them within the past year."
            ),
            figure=audit_figure,
            source="NYC Admin. Code 20-871(a); 6 RCNY 5-301(a)",
        )
    else:
        expires = one_year_after(audit_on)
        audit_figure["expires_on"] = expires.isoformat()
        if state == "expired":
            yield FairnessWarning(
                code="ll144.audit_expired",
                severity="serious",
                message=(
                    f"The last bias audit, on {_day(audit_on)}, is more than a year old on "
                    f"{_day(use_on)} (it lapsed on {_day(expires)}). Local Law 144 forbids "
                    "further use until a new audit is done and published."
                ),
                figure=audit_figure,
                source="6 RCNY 5-301(a); DCWP FAQ II.4",
            )
        elif state == "expiring":
            yield FairnessWarning(
                code="ll144.audit_expiring",
                severity="info",
                message=(
                    f"The bias audit of {_day(audit_on)} lapses on {_day(expires)}. Commission "
                    "the next one now so that use need not stop."
                ),
                figure=audit_figure,
                source="6 RCNY 5-301(a)",
            )
        if not context.bias_audit_independent or not context.bias_audit_auditor.strip():
            yield FairnessWarning(
                code="ll144.auditor_not_independent",
                severity="serious",
                message=(
                    "The bias audit is not recorded as done by an independent auditor: one not "
                    "involved in using, developing or distributing the tool, and with no "
                    "employment relationship or financial interest in the employer or vendor."
                ),
                figure=audit_figure,
                source="6 RCNY 5-300 'Independent auditor'",
            )
        if not context.bias_audit_published:
            yield FairnessWarning(
                code="ll144.audit_unpublished",
                severity="serious",
                message=(
                    "The bias audit's summary is not recorded as published. Before use, the "
                    "employment section of the website must show the audit date, a summary of "
                    "the results (data source, unknown-category count, rates and impact ratios "
                    "for every category) and the tool's distribution date."
                ),
                figure=audit_figure,
                source="6 RCNY 5-303(a)",
            )


# --- FCRA ---------------------------------------------------------------------------------


def _fcra_warnings(context: RuleContext) -> Iterator[FairnessWarning]:
    if not context.us:
        return
    third_party = [rule for rule in context.rules if context.third_party(rule)]
    if not third_party:
        return
    lines = [rule.line for rule in third_party]
    missing = context.us_candidates - context.fcra_authorised
    figure: Figure = {
        "rules": lines,
        "us_candidates": context.us_candidates,
        "authorised": context.fcra_authorised,
        "missing": missing,
    }
    if missing:
        yield FairnessWarning(
            code="fcra.disclosure_missing",
            severity="serious",
            message=(
                f"{_and(lines)} uses a score a third party compiled about candidates' "
                f"reputation, likely a consumer report. {missing} of {context.us_candidates} "
                "US candidates have no recorded standalone disclosure and written "
                "authorisation, which must come before the report is obtained."
            ),
            figure=figure,
            source="15 U.S.C. 1681a(d), 1681b(b)(2); FTC v. Spokeo (2012)",
        )
    else:
        yield FairnessWarning(
            code="fcra.consumer_report",
            severity="info",
            message=(
                f"{_and(lines)} uses a score a third party compiled about candidates' "
                "reputation, likely a consumer report. Before rejecting anyone on it, send a "
                "pre-adverse action notice with a copy of the report and the summary of "
                "rights; afterwards, the adverse action notice."
            ),
            figure=figure,
            source="15 U.S.C. 1681b(b)(3), 1681m(a)",
        )


# --- approval -----------------------------------------------------------------------------


def _approval_warnings(context: RuleContext) -> Iterator[FairnessWarning]:
    if context.four_eyes_approved is not False:
        return
    screening = [rule.line for rule in context.rules if rule.action == "screen_out"]
    if screening:
        yield FairnessWarning(
            code="approval.single_approver",
            severity="info",
            message=(
                f"{_and(screening)} screens people out and no second person has approved it. "
                "A second approver catches a threshold set in haste."
            ),
            figure={"rules": screening, "four_eyes_approved": False},
            source="Renown four-eyes approval (an organisational safeguard; no statute requires it)",
        )
