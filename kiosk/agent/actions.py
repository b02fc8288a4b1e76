"""Remote actions support asks for, as the heartbeat's answer brings them, and their outcomes.

"restart-app" is the agent's own: it runs [agent] restart_command (no shell) at once. The
others (self-test, test-page, screenshot) need the app: they go into the store's `commands`
table, where the app finds them within seconds (kiosk.remote) and writes the outcome back. Every
outcome is reported to the hub (a self-test also as the kiosk's latest self-test) and marked
reported only once the hub has it; a screenshot leaves the kiosk then. An action the app does not
take in time (it is down or hung) is reported as failed, so support is not left waiting.

Each action is logged with its id, kind and the staff member who asked.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from kiosk.agent.shipper import HubHealth
from kiosk.hubclient import HubClient, refused
from kiosk.store.fleet import CommandResult, Fleet

log = logging.getLogger(__name__)

RESULT_PATH = "/api/kiosk/actions/{id}/result"
SELF_TEST_PATH = "/api/kiosk/self-test"
#: How long the app has to take an action before it is reported as not done.
TAKE_WITHIN = timedelta(minutes=2)
RESTART_TIMEOUT = 60.0
NOT_TAKEN = "the kiosk app did not take the action in time (it is not running or not answering)"
#: An app heartbeat younger than this that says a session is active means a citizen is there.
IN_USE_WITHIN = timedelta(seconds=30)
IN_USE = "refused: a citizen is using the kiosk now; ask again when the session has ended"
#: Answers after which an outcome is not sent again: the hub will never take it.
_FINAL = (400, 404, 409, 410, 422)


class ActionRunner:
    def __init__(
        self,
        fleet: Fleet,
        http: aiohttp.ClientSession,
        *,
        hub: HubClient,
        restart_command: Sequence[str],
        request_timeout: float,
    ) -> None:
        self.fleet = fleet
        self._http = http
        self._hub = hub
        self.restart_command = tuple(restart_command)
        self.request_timeout = request_timeout
        self.health = HubHealth("action results")

    async def accept(self, actions: Sequence[dict[str, Any]]) -> None:
        """Take the actions of a heartbeat's answer: restart now, queue the rest for the app."""
        for action in actions:
            action_id, kind = str(action["id"]), str(action["kind"])
            device_id = action.get("device_id")
            requested_by = str(action.get("requested_by") or "")
            added = await asyncio.to_thread(
                self.fleet.add_command,
                action_id,
                kind,
                device_id=device_id,
                requested_by=requested_by,
            )
            if not added:
                continue  # sent again: already queued or done
            log.info(
                "remote action %s (%s) asked by %s",
                action_id,
                kind,
                requested_by,
                extra={"device_id": device_id, "event": kind},
            )
            if kind == "restart-app":
                # A restart ends a citizen's session and wipes it: never in the middle of one.
                if await self.in_use():
                    ok, message = False, IN_USE
                else:
                    ok, message = await self.restart()
                await asyncio.to_thread(self.fleet.finish, action_id, ok=ok, message=message)
                log.log(
                    logging.INFO if ok else logging.ERROR,
                    "remote action %s (restart-app): %s",
                    action_id,
                    message,
                    extra={"event": kind, "outcome": "ok" if ok else "failed"},
                )

    async def in_use(self) -> bool:
        """Whether the app's latest heartbeat, still fresh, says a session is active."""
        beat = await asyncio.to_thread(self.fleet.last_beat)
        if beat is None or not beat.session_active:
            return False
        at = datetime.fromisoformat(beat.at.replace("Z", "+00:00"))
        return datetime.now(UTC) - at <= IN_USE_WITHIN

    async def restart(self) -> tuple[bool, str]:
        """Run the restart command; whether it succeeded and what to tell support."""
        program = self.restart_command[0]
        try:
            process = await asyncio.create_subprocess_exec(
                *self.restart_command,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as exc:
            return False, f"restart command {program} could not be run: {exc.strerror or exc}"
        try:
            _, err = await asyncio.wait_for(process.communicate(), RESTART_TIMEOUT)
        except TimeoutError:
            process.kill()
            await process.wait()
            return False, f"restart command {program} did not finish in {RESTART_TIMEOUT:g} s"
        if process.returncode == 0:
            return True, f"app restarted ({program} exited 0)"
        lines = err.decode(errors="replace").strip().splitlines()
        said = f": {lines[-1][:200]}" if lines else ""
        return False, f"restart command {program} exited {process.returncode}{said}"

    async def report_done(self) -> int:
        """Report the outcomes the app (or the agent) has written; how many the hub took."""
        cutoff = datetime.now(UTC) - TAKE_WITHIN
        if await asyncio.to_thread(self.fleet.expire_untaken, cutoff, NOT_TAKEN):
            log.warning("remote actions not taken by the app in time", extra={"event": "expired"})
        reported = 0
        for result in await asyncio.to_thread(self.fleet.finished_unreported):
            if not await self._report(result):
                break
            await asyncio.to_thread(self.fleet.mark_reported, result.id)
            reported += 1
        return reported

    async def _report(self, result: CommandResult) -> bool:
        """Send one outcome; True when it need not be sent again."""
        if result.kind == "self-test" and result.results is not None:
            self_test = {"at": result.done_at, "results": result.results}
            if await self._post(SELF_TEST_PATH, self_test) is None:
                return False
        png = result.screenshot
        body: dict[str, Any] = {
            "ok": result.ok,
            "message": result.message,
            "screenshot_png": base64.b64encode(png).decode() if png else None,
        }
        status = await self._post(RESULT_PATH.format(id=result.id), body)
        if status is None:
            return False
        if status != 200:
            log.warning(
                "the hub refused the outcome of remote action %s (HTTP %d); not sent again",
                result.id,
                status,
                extra={"event": result.kind},
            )
        return True

    async def _post(self, path: str, body: dict[str, Any]) -> int | None:
        """POST to the hub: 200 or a final refusal's status, None for a passing failure."""
        timeout = self._hub.timeout(self.request_timeout)
        try:
            async with self._http.post(self._hub.url(path), json=body, timeout=timeout) as response:
                status = response.status
                await response.read()
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            cause = "timeout" if isinstance(exc, TimeoutError) else "unreachable"
            self.health.failed(cause, f"{type(exc).__name__}: {exc}")
            return None
        if status == 200 or status in _FINAL:
            self.health.answered()
            return status
        cause = "token" if refused(status) else "server" if status >= 500 else "unexpected"
        self.health.failed(cause, f"HTTP {status}")
        return None
