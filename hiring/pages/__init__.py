"""The recruiter pages: server-rendered HTML views under the ``renown`` URL namespace.

One module per page group: ``candidates`` (the list, its CSV, the candidate page and its
evidence and account forms), ``review`` (jobs, the review queue, decisions, disputes and
the adverse-action notices), ``refresh`` (bulk refresh and its progress), ``audits`` (the
bias audit and the public audit summaries) and ``organization`` (the organisation switch
and the context every page shares). ``hiring.urls`` routes to them.

A way in, at the top of hiring's layers: the pages may import hiring's services,
selectors, forms, fairness and screening, and the lower apps (scoring, candidates,
renown); nothing in hiring below the ways in imports a page.
"""
