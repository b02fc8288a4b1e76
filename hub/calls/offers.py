"""What an advisor can send a citizen in a call (GET /api/advisor/catalogue): the e-services and
the e-forms the hub serves its kiosks, by id and name, for the console's choice.

The kiosk opens what arrives from its own copy of the same catalogues (docs/call-help.md), so
only ids and names are listed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from hub.delivery.service import DELIVERY
from hub.eservices import ESERVICES
from hub.hours import LANGUAGES


async def advisor_catalogue(request: web.Request) -> web.Response:
    """GET /api/advisor/catalogue: {"topics", "eservices", "forms"}, in the catalogues' order."""
    eservices = request.app[ESERVICES]
    forms = request.app[DELIVERY].catalogue
    body: dict[str, list[dict[str, Any]]] = {
        "topics": [{"id": topic.id, "name": _texts(topic.names)} for topic in eservices.topics],
        "eservices": [
            {"id": service.id, "name": _texts(service.names), "topic": service.topic}
            for service in eservices.services
        ],
        "forms": [
            {
                "id": form.id,
                "title": {lang: form.title(lang) for lang in LANGUAGES},
                "topic": form.topic,
            }
            for form in forms.forms.values()
        ],
    }
    return web.json_response(body)


def _texts(names: Mapping[str, str]) -> dict[str, str]:
    """A catalogue entry's names in the hub's languages ("" where one is missing)."""
    return {lang: names.get(lang, "") for lang in LANGUAGES}
