"""The REST API for ATS integrations: tokens, authentication, permissions, errors, endpoints.

Convention: every serializer and view of ``/api/v1/`` lives in this app
(``api/serializers.py``, ``api/views/``), and reads and writes go through the
other apps' selectors and services, exactly as the web UI does.
"""
