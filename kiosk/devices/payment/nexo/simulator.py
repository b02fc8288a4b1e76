"""A nexo Retailer (Sale-to-POI) card payment terminal, simulated, as a process of its own.

    python -m kiosk.devices.payment.nexo.simulator --port 8470 --state-dir /tmp/poi \\
        --notify-url http://127.0.0.1:8471/nexo/notify

It listens on 127.0.0.1 unless --host says otherwise (HTTP, XML bodies):

  POST /nexo     a SaleToPOIRequest; the answer is its SaleToPOIResponse. An AbortRequest is
                 answered 204 (nexo has no AbortResponse: the aborted payment answers).
  GET  /control  the current mode and pace, the login, the reconciliation period (JSON).
  POST /control  {"mode": "<mode>", "pace": <seconds per prompt>}: switch the behaviour.

During a payment it sends DisplayRequests (insert_card, enter_pin, processing, remove_card) to
the kiosk's --notify-url, one prompt per "pace" seconds, and EventNotifications when it starts
(Initialised), stops (Shutdown) and enters or leaves maintenance. Its transactions are journalled
in --state-dir (fsync'd JSON lines), so TransactionStatus tells the truth after a restart.
One line is logged per message; card numbers appear nowhere but masked in the journal.

Modes (kept in the state folder across restarts; --mode overrides):
  approve             every payment is approved (the default)
  decline             the issuer declines: Failure, Refusal
  customer_cancel     the customer presses Cancel at the card prompt: Failure, Cancel
  busy_before_login   answers Failure, Busy to everything until the next Login (a terminal
                      still starting up); without this mode a request before Login gets
                      Failure, LoggedOut, as nexo prescribes
  no_answer           approves and journals the payment, then never answers that request;
                      TransactionStatus later reports it approved
  die_mid_payment     the process exits at once (exit status 3) while "processing", with the
                      payment journalled as in progress. Restarted on the same state folder
                      it closes that payment as failed (Failure, DeviceOut): the authorisation
                      never completed, so nothing was charged, which is what a real terminal
                      reports after a power cut mid-sale (one that had sent the authorisation
                      reverses it on start). TransactionStatus then says so.
  drop_after_approve  approves and journals the payment, then closes the connection unanswered
  offline             maintenance: the terminal stays reachable but answers every request with
                      Failure, DeviceOut (Login too), after an EventNotification
                      BeginMaintenance; leaving the mode sends EndMaintenance. A refused
                      connection is what a dead terminal gives (see die_mid_payment); a terminal
                      in maintenance still speaks the protocol to say it is out of service.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from aiohttp import web

from kiosk.devices.payment.nexo.messages import (
    MAX_MESSAGE_BYTES,
    Body,
    DisplayRequest,
    EventNotification,
    EventToNotify,
    NexoMessage,
    NexoProtocolError,
    decode,
    encode,
)
from kiosk.devices.payment.nexo.poi import ConnectionFate, SimulatedPoi, new_id
from kiosk.devices.payment.nexo.simulator_state import Mode, load_control, save_control

log = logging.getLogger("nexo-simulator")

XML = "application/xml"
#: How long the terminal waits for the kiosk to take a prompt or an event.
NOTIFY_TIMEOUT = 3.0
MAX_PACE = 600.0


class Notifier:
    """Sends the terminal's DisplayRequests and EventNotifications to the kiosk."""

    def __init__(self, url: str | None, poi_id: str, sale_id: Callable[[], str | None]) -> None:
        self._url = url
        self._poi_id = poi_id
        self._sale_id = sale_id
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=NOTIFY_TIMEOUT))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def prompt(self, message_id: str, text: str) -> None:
        await self._send(DisplayRequest(message_id, text), message_id)

    async def event(
        self, event: EventToNotify, details: str | None = None, maintenance: bool = False
    ) -> None:
        body = EventNotification(event, datetime.now(UTC), details, maintenance)
        await self._send(body, event.value)

    async def _send(self, body: Body, what: str) -> None:
        if self._url is None or self._session is None:
            return
        service_id = new_id()
        message = NexoMessage.build(
            body,
            service_id=service_id,
            sale_id=self._sale_id() or "unknown",
            poi_id=self._poi_id,
            device_id=service_id if isinstance(body, DisplayRequest) else None,
        )
        log.info("-> %s %s %s service=%s", body.CATEGORY, body.TYPE, what, service_id)
        try:
            async with self._session.post(
                self._url, data=encode(message), headers={"Content-Type": XML}
            ) as response:
                await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.info("   the kiosk did not take it: %s", type(exc).__name__)


POI = web.AppKey("poi", SimulatedPoi)
NOTIFIER = web.AppKey("notifier", Notifier)
CLOSING = web.AppKey("closing", asyncio.Event)
FOLDER = web.AppKey("folder", Path)


async def nexo_endpoint(request: web.Request) -> web.StreamResponse:
    poi = request.app[POI]
    try:
        message = decode(await request.read())
    except NexoProtocolError as exc:
        log.warning("<- refused: %s", exc)
        return web.Response(status=400, text=f"{exc}\n")
    header = message.header
    log.info(
        "<- %s %s service=%s sale=%s",
        header.category,
        header.type,
        header.service_id,
        header.sale_id,
    )
    answer = await poi.handle(message)
    if answer.body is None:
        return web.Response(status=204)
    response = answer.body.response
    outcome = f"result={response.result} error={response.error_condition or '-'}"
    reply = NexoMessage.build(
        answer.body, service_id=header.service_id, sale_id=header.sale_id, poi_id=poi.poi_id
    )
    if answer.fate is ConnectionFate.HOLD:
        log.info(
            "-> %s Response service=%s %s: held back", header.category, header.service_id, outcome
        )
        await _until_gone(request)
        return web.Response(status=204)
    if answer.fate is ConnectionFate.DROP:
        log.info(
            "-> %s Response service=%s %s: dropped", header.category, header.service_id, outcome
        )
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=204)
    log.info("-> %s Response service=%s %s", header.category, header.service_id, outcome)
    return web.Response(body=encode(reply), content_type=XML)


async def _until_gone(request: web.Request) -> None:
    """Hold a request unanswered until the kiosk gives up on it or the terminal stops."""
    closing = request.app[CLOSING]
    transport = request.transport
    while transport is not None and not transport.is_closing() and not closing.is_set():
        await asyncio.sleep(0.1)


def _state(app: web.Application) -> dict[str, object]:
    poi = app[POI]
    return {
        **poi.control.as_dict(),
        "poi_id": poi.poi_id,
        "logged_in": poi.logged_in is not None,
        "payment_in_progress": poi.active is not None,
        "period": poi.journal.period,
    }


async def control_get(request: web.Request) -> web.Response:
    return web.json_response(_state(request.app))


async def control_post(request: web.Request) -> web.Response:
    try:
        data = await request.json()
    except ValueError:
        return _bad_control("the body is not JSON")
    if not isinstance(data, dict) or not data or set(data) - {"mode", "pace"}:
        return _bad_control('expected {"mode": ..., "pace": ...}')
    poi = request.app[POI]
    old = poi.control.mode
    mode, pace = old, poi.control.pace
    if "mode" in data:
        try:
            mode = Mode(data["mode"])
        except ValueError:
            return _bad_control(f"mode must be one of: {', '.join(m.value for m in Mode)}")
    if "pace" in data:
        pace = data["pace"]
        if isinstance(pace, bool) or not isinstance(pace, int | float) or not 0 <= pace <= MAX_PACE:
            return _bad_control(f"pace must be seconds from 0 to {MAX_PACE:g}")
    poi.control.mode, poi.control.pace = mode, float(pace)
    save_control(request.app[FOLDER], poi.control)
    log.info("control: mode %s, pace %gs", mode, pace)
    if mode is not old:
        await _mode_changed(request.app, old, mode)
    return web.json_response(_state(request.app))


async def _mode_changed(app: web.Application, old: Mode, new: Mode) -> None:
    poi, notifier = app[POI], app[NOTIFIER]
    if new in (Mode.OFFLINE, Mode.BUSY_BEFORE_LOGIN):
        poi.log_out()  # both stand for a terminal that lost its session
    if new is Mode.OFFLINE:
        await notifier.event(EventToNotify.BEGIN_MAINTENANCE, "maintenance", maintenance=True)
    elif old is Mode.OFFLINE:
        await notifier.event(EventToNotify.END_MAINTENANCE)


def _bad_control(why: str) -> web.Response:
    return web.json_response({"error": why}, status=400)


async def serve(args: argparse.Namespace) -> None:
    folder = Path(args.state_dir)
    control = load_control(folder)
    if args.mode is not None:
        control.mode = Mode(args.mode)
    if args.pace is not None:
        control.pace = args.pace
    save_control(folder, control)

    poi_cell: list[SimulatedPoi] = []
    notifier = Notifier(args.notify_url, args.poi_id, lambda: poi_cell[0].logged_in)
    poi = SimulatedPoi(folder, args.poi_id, control, notifier.prompt)
    poi_cell.append(poi)

    app = web.Application(client_max_size=MAX_MESSAGE_BYTES)
    app[POI], app[NOTIFIER], app[FOLDER] = poi, notifier, folder
    app[CLOSING] = closing = asyncio.Event()
    app.router.add_post("/nexo", nexo_endpoint)
    app.router.add_get("/control", control_get)
    app.router.add_post("/control", control_post)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    await web.TCPSite(runner, args.host, args.port).start()
    await notifier.start()
    log.info(
        "terminal %s on http://%s:%d/nexo, mode %s, pace %gs, period %d",
        args.poi_id,
        args.host,
        args.port,
        control.mode,
        control.pace,
        poi.journal.period,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await notifier.event(EventToNotify.INITIALISED)
    if control.mode is Mode.OFFLINE:
        await notifier.event(EventToNotify.BEGIN_MAINTENANCE, "maintenance", maintenance=True)
    await stop.wait()
    log.info("shutting down")
    closing.set()
    await notifier.event(EventToNotify.SHUTDOWN)
    await runner.cleanup()
    await notifier.close()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m kiosk.devices.payment.nexo.simulator",
        description=(__doc__ or "").split("\n\n", 1)[0],
        epilog=(__doc__ or "").split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--port", type=int, required=True, help="TCP port to listen on")
    parser.add_argument(
        "--state-dir", required=True, help="folder for the journal and the mode (made if missing)"
    )
    parser.add_argument(
        "--notify-url", help="the kiosk's endpoint for DisplayRequest and EventNotification"
    )
    parser.add_argument("--poi-id", default="SIMPOI01", help="the terminal's POIID")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--mode", choices=[m.value for m in Mode], help="start in this mode")
    parser.add_argument("--pace", type=float, help="seconds the customer spends on each prompt")
    args = parser.parse_args(argv)
    if args.pace is not None and not 0 <= args.pace <= MAX_PACE:
        parser.error(f"--pace must be from 0 to {MAX_PACE:g}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s poi %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
