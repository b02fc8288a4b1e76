"""What an advisor sends in a call, on the hub's side: the line's `advisor_documents_print_free`
(hub.toml, then the kiosk's `connected`) and the catalogue the console chooses from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from hub.config import ConfigError, HubConfig, load_config
from hub.eservices import ESERVICES
from hub.store import HubStore
from tests.hub.conftest import FixedClock, add_user, log_in, run_app
from tests.hub.test_ws import NEUVONTA, VIRKA, Hub, lines_config, run_hub

Client = TestClient[web.Request, web.Application]


# ---- the line key -----------------------------------------------------------------------------


def test_documents_print_free_unless_the_line_says_otherwise(
    write_config: Callable[[str], Path],
) -> None:
    lines = "[lines.virka-info]\nadvisor_documents_print_free = false\n[lines.kansalaisneuvonta]\n"
    config = load_config(write_config(lines))
    virka, neuvonta = config.line(VIRKA), config.line(NEUVONTA)
    assert virka is not None and neuvonta is not None
    assert virka.advisor_documents_print_free is False
    assert neuvonta.advisor_documents_print_free is True
    assert load_config(write_config("")).lines[0].advisor_documents_print_free is True


def test_a_print_free_that_is_no_bool_stops_start_up_naming_the_key(
    write_config: Callable[[str], Path],
) -> None:
    path = write_config('[lines.virka-info]\nadvisor_documents_print_free = "yes"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == (
        f'{path}: lines.virka-info.advisor_documents_print_free = "yes" is not allowed: '
        "true or false"
    )


def test_the_kiosks_connected_says_whether_the_lines_documents_print_free(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    config = lines_config(config, virka_info=["anna"], kansalaisneuvonta=["anna"])
    config = replace(
        config,
        lines=tuple(
            replace(line, advisor_documents_print_free=line.id == NEUVONTA) for line in config.lines
        ),
    )

    async def scenario(hub: Hub) -> None:
        anna = await hub.advisor("anna")
        k1 = await hub.kiosk("k1")
        for line, free in ((VIRKA, False), (NEUVONTA, True)):
            await k1.send({"type": "call", "line": line, "language": "fi"})
            call = (await k1.expect("queued"))["call"]
            await anna.expect("ringing", call=call)
            await anna.send({"type": "accept", "call": call})
            kiosk_side = await k1.expect("connected", call=call)
            advisor_side = await anna.expect("connected", call=call)
            assert kiosk_side["documents_print_free"] is free
            assert "documents_print_free" not in advisor_side  # the kiosk's business
            await anna.send({"type": "hang_up", "call": call})
            await k1.expect("ended", call=call)

    run_hub(config, store, clock, scenario, users=("anna",))


# ---- the catalogue ------------------------------------------------------------------------------


def test_the_console_lists_the_e_services_and_forms_the_hub_serves(
    app: web.Application, store: HubStore
) -> None:
    add_user(store, "anna", "advisor")
    served = app[ESERVICES]

    async def scenario(client: Client) -> None:
        await log_in(client, "anna")
        response = await client.get("/api/advisor/catalogue")
        assert response.status == 200
        body = await response.json()

        eservices = body["eservices"]
        assert [s["id"] for s in eservices] == [s.id for s in served.services]
        first = served.services[0]
        assert eservices[0] == {
            "id": first.id,
            "name": {lang: first.names[lang] for lang in ("fi", "sv", "en")},
            "topic": first.topic,
        }
        topics = {t["id"]: t["name"]["fi"] for t in body["topics"]}
        assert {s["topic"] for s in eservices} <= topics.keys()

        # The forms are the ones GET /api/kiosk/forms serves, titled in each language.
        forms = {f["id"]: f for f in body["forms"]}
        assert "kansalaisneuvonta-contact" in forms
        title = forms["kansalaisneuvonta-contact"]["title"]
        assert set(title) == {"fi", "sv", "en"} and all(title.values())

    run_app(app, scenario)


def test_only_advisors_get_the_catalogue(app: web.Application, store: HubStore) -> None:
    add_user(store, "sanna", "support")

    async def scenario(client: Client) -> None:
        assert (await client.get("/api/advisor/catalogue")).status == 401
        await log_in(client, "sanna")
        assert (await client.get("/api/advisor/catalogue")).status == 403

    run_app(app, scenario)
