"""The candidate's own view of what Renown holds on them, through a private link (issue 21).

``links`` makes, opens and revokes the links (the portal's one gate: every portal page
and action starts from ``portal_open``); ``services`` are what a candidate can do, each
an audited call of the same services recruiters and the API use, recorded as a
``PortalAction`` and announced (``candidate.portal_action``); ``selectors`` read what
the page shows; ``views`` are the pages. A way in, like the pages and the API: it sits
at the top of ``hiring`` (it reads scores, screenings and decisions) and nothing below
imports it.
"""
