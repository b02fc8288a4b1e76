"""A kiosk's call client as a process of its own, without Qt: the real `HubAdviceClient` on an
engine loop with a simulated camera, driven by lines on stdin and telling what happens on stdout.

    python -m tests.video.kiosk_process HUB_URL TOKEN KIOSK_ID HEARTBEAT_S

stdin: `call LINE LANGUAGE`, `hang_up`, `quit`. stdout: one JSON object per line, `{"phase": …,
"reason": …, "call": …, "peer": bool, "hub": bool}` for each status the client reports (`peer`:
whether a WebRTC peer is open; `hub`: whether the socket to the hub is open), and `{"ready": true}`
once the socket is up. The tests kill it with SIGKILL or freeze it with SIGSTOP mid-call.
"""

from __future__ import annotations

import json
import sys
import threading
import time

from kiosk.devices.camera.simulated import SimulatedCamera
from kiosk.engine import Engine
from kiosk.video.advice import AdviceStatus
from kiosk.video.hub_client import HubAdviceClient

_print_lock = threading.Lock()


def _say(message: dict[str, object]) -> None:
    with _print_lock:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()


def main(argv: list[str]) -> int:
    hub_url, token, kiosk_id, heartbeat = argv[0], argv[1], argv[2], float(argv[3])
    engine = Engine()
    engine.start()
    camera = SimulatedCamera("camera", width=320, height=240, fps=15)
    camera.start()
    client = HubAdviceClient(
        hub_url=hub_url,
        token=token,
        kiosk_id=kiosk_id,
        loop=engine.loop,
        camera=camera,
        connect_timeout=1.0,
        request_timeout=3.0,
        backoff=(0.2, 0.5, 1.0),
        heartbeat=heartbeat,
    )

    def report(status: AdviceStatus) -> None:
        _say(
            {
                "phase": str(status.phase),
                "reason": status.reason,
                "call": status.call,
                "peer": client.receive_stats() is not None,
                "hub": client.hub_connected,
            }
        )

    client.subscribe(report)
    client.open()
    deadline = time.monotonic() + 30
    while not client.hub_connected and time.monotonic() < deadline:
        time.sleep(0.05)
    _say({"ready": client.hub_connected})
    try:
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            if words[0] == "call":
                client.start(words[1], words[2])
            elif words[0] == "hang_up":
                client.cancel()
            elif words[0] == "quit":
                break
    finally:
        engine.submit(client.aclose()).result(timeout=10)
        camera.stop()
        engine.stop(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
