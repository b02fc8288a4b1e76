"""The hub's catalogue of e-forms: served to kiosks, and where each form is delivered.

Loaded once at start from a folder of definition files (`*.json`). A definition that fails
`eforms.definition.load_definition` is logged with its form and problem and left out; the rest
is served. The catalogue's version is the SHA-256 of what is served, so a kiosk that has it
gets 304 Not Modified.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eforms.definition import FormDefinition, load_catalogue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FormCatalogue:
    forms: dict[str, FormDefinition]
    #: The definitions as served: the JSON objects of the files, in file-name order.
    served: tuple[dict[str, Any], ...]
    version: str

    @classmethod
    def load(cls, folder: Path) -> FormCatalogue:
        try:
            sources = [(p.name, p.read_bytes()) for p in sorted(folder.glob("*.json"))]
        except OSError as exc:
            log.error("form catalogue %s cannot be read: %s", folder, exc.strerror)
            sources = []
        return cls.from_sources(sources)

    @classmethod
    def from_sources(cls, sources: list[tuple[str, bytes]]) -> FormCatalogue:
        definitions, errors = load_catalogue(sources)
        for error in errors:
            log.error(
                "form definition %s left out: %s",
                error.form_id,
                error.problem,
                extra={"event": "form-left-out", "reason": error.problem},
            )
        forms = {definition.id: definition for definition in definitions}
        served: dict[str, dict[str, Any]] = {}
        for _name, data in sources:
            try:
                raw = json.loads(data)
            except ValueError:
                continue
            form_id = raw.get("id") if isinstance(raw, dict) else None
            if isinstance(form_id, str) and form_id in forms and form_id not in served:
                served[form_id] = raw
        listed = tuple(served.values())
        canonical = json.dumps(listed, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        version = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        log.info("form catalogue loaded: %d forms, version %s", len(forms), version[:12])
        return cls(forms, listed, version)

    @property
    def etag(self) -> str:
        return f'"{self.version}"'

    def get(self, form_id: str) -> FormDefinition | None:
        return self.forms.get(form_id)

    def unchanged_for(self, if_none_match: str) -> bool:
        """True when an If-None-Match header names this version (or is `*`)."""
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or self.etag in tags
