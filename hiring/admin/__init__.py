"""Admin for jobs, rules, screenings, decisions and adverse actions, scoped to the user's
organisations.

HR admins write rules here, and every write goes through ``hiring.services``
(versions, four-eyes approval, the audit trail): saving a changed rule writes
its next version; approving, making live, deactivating and rolling back are
actions on the rule list. Screenings, decisions, notices and disputes are
records: read-only for everyone.

Who views what (``view_roles``, the role in the object's own organisation): jobs,
rules, groups, applications, screenings, runs, decisions, adverse actions, notices
and disputes are what a recruiter works with in the review pages (``ALL_ROLES``);
the audit trail and bias audits are for HR admins and auditors (``OVERSIGHT_ROLES``).

One module per group: ``jobs`` (jobs, their rules inline, the bias audit page), ``rules``
(screening rules with the fairness preview, rule groups), ``screenings`` (applications,
screenings, runs), ``review`` (decisions, adverse actions, disputes, notices), ``audit``
(the audit trail, bias audits); ``base`` holds the scoped base admins and ``forms`` the
admin's forms. Django's autodiscovery imports ``hiring.admin`` only: this module imports
every admin module so that all register. A way in, at the top of hiring's layers: the admin
writes through ``hiring.services`` and reads fairness and screening.
"""

from hiring.admin import audit, jobs, review, rules, screenings  # noqa: F401

# Admins of hiring's sub-packages (Django's autodiscovery imports ``hiring.admin`` only).
from hiring.privacy import admin as privacy_admin  # noqa: F401  isort: skip
