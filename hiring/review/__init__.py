"""Human review of a screening and what follows a rejection: one job, review.

- ``decisions``: a person's decision on a screening (advance, reject, hold), with the
  machine's view; a rejection under the FCRA opens an adverse action.
- ``adverse_action``: the FCRA pre-adverse notice, waiting period, final notice, withdrawal.
- ``disputes``: a candidate's dispute, its reinvestigation (re-fetch, re-score,
  re-screen) and resolution.
- ``queue``: the queue at volume: several screenings advanced or held with one reason,
  and who works which ("assign to me").
- ``notices``: rendering and delivering those notices by email.

May import: models, selectors, permissions, conf and business days of ``hiring``;
``hiring.screening`` (the run, evaluation) and ``hiring.fairness``; below hiring
(scoring, candidates, renown); ``hiring.tasks`` only inside a function. Not the
ways in (pages, API, admin) nor ``hiring.services``, which re-exports its use cases.
"""
