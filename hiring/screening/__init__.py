"""Screening: the metric queries over scoring's tables (``metrics``; ``kept`` reads the
window statistics scoring keeps, ``sql`` holds what their raw SQL shares), the pure rule
evaluation (``evaluation``), a screening's reasons (``reasons``), what a stored rule says
(``spec``, read-only) and the screening run that writes screenings (``reads``, ``run``).

It may import ``hiring.models``, ``hiring.selectors``, ``hiring.conf``, the lower apps
(scoring, candidates, renown) and nothing else of ``hiring``: fairness, review, the
services, the API and the pages build on it, never the other way round.
"""
