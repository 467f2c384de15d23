"""The API plumbing every endpoint shares: token authentication, access, problem details,
pagination, idempotency, throttling, parsers, the schema and its docs page.
"""
