"""The API's one renderer: JSON, spelled the same whatever the host's ``REST_FRAMEWORK`` says."""

from __future__ import annotations

from rest_framework.renderers import JSONRenderer


class ApiJSONRenderer(JSONRenderer):
    """DRF's JSON renderer with its defaults fixed here.

    DRF reads ``UNICODE_JSON``, ``COMPACT_JSON`` and ``STRICT_JSON`` into class
    attributes when it is first imported, so a host's settings would reach Renown's
    answers: here they are Renown's own (UTF-8 text, no padding, no NaN or Infinity).
    """

    ensure_ascii = False
    compact = True
    strict = True
