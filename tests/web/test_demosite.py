"""The demo e-service site (eservices.demosite) on its own, without a browser: its pages, its
downloads, its identification step and the off-list site's count, through the test fixture."""

from __future__ import annotations

import asyncio
import http.client
import io
import json
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import aiohttp
from pypdf import PdfReader

from eservices.catalogue import allowed, check_catalogue, parse_catalogue, shipped_bytes
from eservices.demosite import Role, SitesThread
from tests.peers.smtp import free_port
from tests.peers.websites import (  # noqa: F401 - the fixture is used by name
    HOST_NAMES,
    RESOLVER_RULES,
    Websites,
    chromium_flags,
    websites_fixture,
)

DEADLINE = 30.0


class Answer:
    def __init__(self, response: http.client.HTTPResponse) -> None:
        self.status = response.status
        self.headers = response.headers
        self.body = response.read()

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def ask(
    sites: Websites,
    path: str,
    *,
    role: Role = "service",
    method: str = "GET",
    form: dict[str, str] | None = None,
    cookie: str = "",
    host: str = "",
) -> Answer:
    """One request to a role's server on 127.0.0.1, under its test host name (as the browser
    sends it); redirects are not followed."""
    origin = urlsplit(sites.url("/", role))
    connection = http.client.HTTPConnection("127.0.0.1", sites.ports[role], timeout=DEADLINE)
    headers = {"Host": host or origin.netloc}
    body = None
    if form is not None:
        body = urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if cookie:
        headers["Cookie"] = cookie
    try:
        connection.request(method, path, body=body, headers=headers)
        return Answer(connection.getresponse())
    finally:
        connection.close()


def test_every_page_of_the_service_answers(websites: Websites) -> None:
    pages = ["/", "/form", "/done", "/try", "/popup", "/offlist-probe", "/remember", "/recall"]
    for path in [*pages, "/static/site.css", "/static/probe.js", "/static/try.js"]:
        answer = ask(websites, path)
        assert answer.status == 200, path
    start = ask(websites, "/").text
    assert "<title>Demo e-service / Demopalvelu</title>" in start
    assert 'id="login"' in start
    assert ask(websites, "/api/ping").body == b'{"ok": true}'


def test_the_probe_page_knows_the_off_list_site(websites: Websites) -> None:
    page = ask(websites, "/offlist-probe").text
    assert f'data-offlist="{websites.offlist}"' in page
    assert 'id="probe-done"' in page and 'src="/static/probe.js"' in page
    limits = ask(websites, "/try").text
    assert f'href="{websites.offlist}/"' in limits
    assert 'id="popup-link" href="/popup" target="_blank"' in limits
    for button in ("popup-open", "geo", "camera", "notify", "clipboard", "ws-echo"):
        assert f'id="{button}-result"' in limits


def test_the_form_is_received_and_shown_back_escaped(websites: Websites) -> None:
    answer = ask(websites, "/done", method="POST", form={"name": "Åsa Öberg", "message": "<b>"})
    assert answer.status == 200
    assert '<span class="result" id="done-name">Åsa Öberg</span>' in answer.text
    assert "&lt;b&gt;" in answer.text and "<b>" not in answer.text
    assert 'href="/receipt.pdf"' in answer.text and 'href="/notes.txt"' in answer.text
    assert websites.service_log.find("/done")[-1].form == {"name": "Åsa Öberg", "message": "<b>"}


def test_the_receipt_is_a_pdf_attachment(websites: Websites) -> None:
    answer = ask(websites, "/receipt.pdf")
    assert answer.headers["Content-Type"] == "application/pdf"
    assert answer.headers["Content-Disposition"].startswith("attachment")
    assert answer.body.startswith(b"%PDF-")
    assert len(PdfReader(io.BytesIO(answer.body)).pages) == 1


def test_the_notes_are_a_text_attachment(websites: Websites) -> None:
    answer = ask(websites, "/notes.txt")
    assert answer.headers["Content-Type"].startswith("text/plain")
    assert answer.headers["Content-Disposition"].startswith("attachment")


def test_logging_in_goes_through_identification_and_back_with_a_session(
    websites: Websites,
) -> None:
    assert 'data-state="logged-out"' in ask(websites, "/").text
    to_identification = ask(websites, "/login")
    assert to_identification.status == 302
    authorize = urlsplit(to_identification.headers["Location"])
    assert f"{authorize.scheme}://{authorize.netloc}" == websites.identification
    back = parse_qs(authorize.query)["return"][0]
    assert back == f"{websites.service}/login/return"

    page = ask(websites, f"/authorize?{authorize.query}", role="identification")
    assert page.status == 200
    assert 'id="confirm"' in page.text and "Vahvista tunnistautuminen" in page.text
    confirmed = ask(
        websites, "/confirm", role="identification", method="POST", form={"return": back}
    )
    assert confirmed.status == 303
    returned = urlsplit(confirmed.headers["Location"])
    assert f"{returned.scheme}://{returned.netloc}{returned.path}" == back

    session = ask(websites, f"{returned.path}?{returned.query}")
    assert session.status == 302 and session.headers["Location"] == "/"
    cookie = session.headers["Set-Cookie"].split(";")[0]
    assert cookie.startswith("demo_session=")
    assert 'data-state="logged-in"' in ask(websites, "/", cookie=cookie).text
    assert websites.service_log.entries()[-1].cookies["demo_session"] == cookie.split("=", 1)[1]


def test_logging_in_under_the_secure_name_returns_there(websites: Websites) -> None:
    host = urlsplit(websites.secure_service).netloc
    location = ask(websites, "/login", host=host).headers["Location"]
    back = parse_qs(urlsplit(location).query)["return"][0]
    assert back == websites.secure_url("/login/return")
    page = ask(websites, f"/authorize?{urlencode({'return': back})}", role="identification")
    assert page.status == 200


def test_identification_refuses_to_return_anywhere_but_the_service(websites: Websites) -> None:
    port = websites.ports["service"]
    foreign = [
        f"{websites.offlist}/",
        f"{websites.identification}/",
        f"http://elsewhere.test:{port}/login/return",
        f"http://eservice.test:{port}@offlist.test:{websites.ports['offlist']}/",
        f"ws://eservice.test:{port}/ws",
        "javascript:alert(1)",
        f"//eservice.test:{port}/",
        "",
    ]
    for back in foreign:
        page = ask(websites, f"/authorize?{urlencode({'return': back})}", role="identification")
        assert page.status == 400, back
        assert 'id="refused"' in page.text and 'id="confirm"' not in page.text
        posted = ask(
            websites, "/confirm", role="identification", method="POST", form={"return": back}
        )
        assert posted.status == 400, back
        assert "Location" not in posted.headers


def test_the_off_list_site_counts_every_request(websites: Websites) -> None:
    assert websites.offlist_count() == 0
    ask(websites, "/")
    ask(websites, "/authorize", role="identification")
    assert websites.offlist_count() == 0

    for path in ("/", "/probe.png", "/probe.js", "/probe.json", "/frame"):
        assert ask(websites, path, role="offlist").status == 200
    ask(websites, "/post", role="offlist", method="POST", form={"probe": "form"})
    assert asyncio.run(_websocket_echo(websites, "offlist", "/socket")) == "hello"

    assert websites.offlist_count() == 7
    seen = websites.offlist_log.entries()
    assert [s.path for s in seen] == [
        "/",
        "/probe.png",
        "/probe.js",
        "/probe.json",
        "/frame",
        "/post",
        "/socket",
    ]
    assert {s.host for s in seen} == {urlsplit(websites.offlist).netloc}
    assert seen[-1].websocket and seen[5].method == "POST"
    assert ask(websites, "/probe.png", role="offlist").body.startswith(b"\x89PNG")


def test_the_service_echoes_on_its_websocket(websites: Websites) -> None:
    assert asyncio.run(_websocket_echo(websites, "service", "/ws")) == "hello"
    assert websites.service_log.find("/ws")[0].websocket


async def _websocket_echo(websites: Websites, role: Role, path: str) -> str:
    port = websites.ports[role]
    host = urlsplit(websites.url("/", role)).netloc
    timeout = aiohttp.ClientTimeout(total=DEADLINE)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.ws_connect(f"http://127.0.0.1:{port}{path}", headers={"Host": host}) as socket,
    ):
        await socket.send_str("hello")
        return str(await socket.receive_str())


def test_what_a_page_remembers_is_a_lasting_cookie_and_recall_reports_it(
    websites: Websites,
) -> None:
    stored = ask(websites, "/remember?canary=canary-1234")
    cookie = stored.headers["Set-Cookie"]
    assert cookie.startswith("canary_server=canary-1234;") and "Max-Age=" in cookie
    assert 'src="/static/remember.js"' in stored.text
    recall = ask(websites, "/recall", cookie="canary_server=canary-1234")
    assert '<span class="result" id="recall-server-cookie">canary-1234</span>' in recall.text
    assert (
        '<span class="result" id="recall-server-cookie">none</span>'
        in ask(websites, "/recall").text
    )

    ask(websites, "/seen?cookie=canary-1234&storage=", cookie="canary=canary-1234")
    seen = websites.service_log.find("/seen")[-1]
    assert seen.query == {"cookie": "canary-1234", "storage": ""}
    assert seen.cookies == {"canary": "canary-1234"}


def test_the_fixture_catalogue_lists_the_service_and_identification_only(
    websites: Websites,
) -> None:
    checked = check_catalogue(websites.catalogue())
    assert checked.errors == []
    assert json.loads(websites.catalogue_json()) == websites.catalogue()
    catalogue = checked.catalogue
    service = catalogue.service("demo-service")
    assert service is not None and service.start_url == websites.url("/")
    reachable = catalogue.reachable(service)
    for url in (
        websites.url("/form"),
        websites.secure_url("/try"),
        websites.url("/a", "identification"),
    ):
        assert allowed(url, reachable), url
    ws = websites.url("/ws").replace("http:", "ws:")
    assert allowed(ws, reachable)
    for other in catalogue.services:
        assert not allowed(websites.url("/", "offlist"), catalogue.reachable(other))


def test_the_demo_command_writes_a_catalogue_that_checks_out(tmp_path: Path) -> None:
    ports = [free_port() for _ in range(3)]
    out = tmp_path / "demo" / "eservices.json"
    command = [sys.executable, "-m", "eservices.demosite", "--host", "127.0.0.1"]
    command += ["--service-port", str(ports[0]), "--identification-port", str(ports[1])]
    command += ["--offlist-port", str(ports[2]), "--catalogue-out", str(out)]
    log = (tmp_path / "demosite.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        end = time.monotonic() + DEADLINE
        while True:
            assert process.poll() is None, (tmp_path / "demosite.log").read_text()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", ports[0], timeout=2)
                connection.request("GET", "/")
                assert connection.getresponse().status == 200
                connection.close()
                break
            except OSError:
                assert time.monotonic() < end, "the demo site did not listen in time"
                time.sleep(0.05)
        checked = check_catalogue(json.loads(out.read_text(encoding="utf-8")))
        assert checked.errors == []
        # The shipped services, and the demo's local ones beside them.
        shipped = parse_catalogue(shipped_bytes()).catalogue
        demo = [s for s in checked.catalogue.services if s.topic == "demo"]
        assert [s.id for s in checked.catalogue.services] == [
            *(s.id for s in shipped.services),
            *(s.id for s in demo),
        ]
        origins = {str(o) for s in demo for o in s.origins}
        assert origins == {f"http://127.0.0.1:{ports[0]}"}
        identification = [str(o) for o in checked.catalogue.identification]
        assert identification == [*map(str, shipped.identification), f"http://127.0.0.1:{ports[1]}"]
        offlist = f"http://127.0.0.1:{ports[2]}/"
        assert not any(
            allowed(offlist, checked.catalogue.reachable(s)) for s in checked.catalogue.services
        )
    finally:
        process.terminate()
        assert process.wait(DEADLINE) == 0
        log.close()


def test_chromium_flags_add_the_test_hosts_to_any_rules_already_there() -> None:
    ours = f'--host-resolver-rules="{RESOLVER_RULES}"'
    assert chromium_flags("") == ours
    assert chromium_flags("--disable-gpu") == f"--disable-gpu {ours}"
    assert chromium_flags(ours) == ours
    merged = chromium_flags('--a --host-resolver-rules="MAP x.test 127.0.0.1" --b')
    assert merged == f'--a --host-resolver-rules="MAP x.test 127.0.0.1, {RESOLVER_RULES}" --b'
    unquoted = chromium_flags("--host-resolver-rules=MAP,x")
    assert unquoted == f'--host-resolver-rules="MAP,x, {RESOLVER_RULES}"'


def test_sites_never_started_are_stopped_cleanly() -> None:
    unstarted = SitesThread(HOST_NAMES)
    unstarted.stop()
    assert all(log.count() == 0 for log in unstarted.logs.values())
