"""ATS integrations: deliveries in from an applicant tracking system (Greenhouse today).

``greenhouse`` verifies and parses a delivery, ``services`` applies it through the
audited candidate and hiring services (one idempotency record per delivery, ``models``),
``tasks`` purges old replay records. A way in: it sits with the pages, the API and the
admin at the top of ``hiring`` and may import everything below (services, review,
fairness, screening, the lower apps); nothing in ``hiring`` imports it but the URLs
(and, for its data model only, ``hiring.models`` and the privacy sections).
"""
