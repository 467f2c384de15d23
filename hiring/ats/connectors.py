"""The ATS connectors by name (the route's ``{ats}``): one module each, one interface."""

from __future__ import annotations

from functools import cache

from django.utils.module_loading import import_string

from hiring.ats.base import Connector

# name -> the connector's class (imported when first asked for)
CONNECTOR_CLASSES = {
    "greenhouse": "hiring.ats.greenhouse.Greenhouse",
    "lever": "hiring.ats.lever.Lever",
    "ashby": "hiring.ats.ashby.Ashby",
    "workable": "hiring.ats.workable.Workable",
}


@cache
def connector_for(name: str) -> Connector:
    """The connector called ``name``; KeyError for an ATS Renown has no connector for."""
    path = CONNECTOR_CLASSES[name]
    connector: Connector = import_string(path)()
    return connector
