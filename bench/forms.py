"""Forms figures: rendering the longest shipped form, its PDF, and the outbox's throughput.

    ./dev bench        (or: .venv/bin/python bench/forms.py [--runs N] [--submissions N])

1. Render: from nothing to the longest shipped form (most fields) built and painted at
   1920×1080 on the offscreen platform, as the citizen's tap on it does; median of RUNS.
2. PDF: the same form filled in, written as the PDF that is sealed with it and printed;
   median of RUNS.
3. Outbox throughput: SUBMISSIONS forms, each with a 200 KB PDF, sealed into a kiosk store,
   then shipped by `kiosk-agent --once` to a real hub (`kiosk-hub serve`) on loopback, which
   opens, checks and stores each one before it answers. Submissions per second from the agent's
   start to its exit, median of RUNS. The hub's delivery by e-mail is not part of the figure
   (its SMTP relay is left unreachable; the submissions wait in its store).
"""

from __future__ import annotations

import argparse
import base64
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCREEN = ROOT / "tools/qt/kiosk-1080p.json"
os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={SCREEN}")


def sample_answers(definition: Any) -> dict[str, Any]:
    """Answers for every field, of the kinds a citizen gives."""
    answers: dict[str, Any] = {}
    for field in definition.fields:
        schema = field.schema
        options = schema.get("enum") or schema.get("items", {}).get("enum")
        if options:
            answers[field.name] = list(options[:2]) if schema.get("type") == "array" else options[0]
        elif schema.get("type") == "boolean":
            answers[field.name] = True
        else:
            answers[field.name] = {
                "email": "citizen@example.fi",
                "phone": "040 123 4567",
                "postal-code": "00100",
                "date": "2026-12-24",
            }.get(field.format or "", "Testi Testinen, Mannerheimintie 1 A 2, 00100 Helsinki")
    return answers


def render_and_pdf(runs: int) -> tuple[str, int, list[float], list[float]]:
    from PySide6.QtWidgets import QApplication

    from eforms.definition import load_catalogue, shipped_sources
    from kiosk.i18n import Catalogue
    from kiosk.ui.forms.form import FormView
    from kiosk.ui.forms.summary import write_summary_pdf
    from kiosk.ui.state import UiState

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    forms, _errors = load_catalogue(shipped_sources())
    longest = max(forms, key=lambda f: len(f.fields))
    ui = UiState(Catalogue(), language="fi", large_text_scale=1.5, high_contrast=False)
    ui.apply_style()
    answers = sample_answers(longest)
    render: list[float] = []
    pdf: list[float] = []
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-forms-") as tmp:
        for run in range(runs + 1):  # the first run warms imports and fonts; not counted
            start = time.perf_counter()
            view = FormView(ui, longest)
            view.resize(1920, 1080)
            view.go_to(0)
            view.grab()
            rendered = time.perf_counter() - start
            start = time.perf_counter()
            write_summary_pdf(longest, answers, "ABCD2345", "fi", ui.t, Path(tmp) / f"{run}.pdf")
            written = time.perf_counter() - start
            view.deleteLater()
            app.processEvents()
            if run:
                render.append(rendered)
                pdf.append(written)
    return longest.id, len(longest.fields), render, pdf


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the hub did not listen on {port}")


def throughput(submissions: int) -> float:
    """Submissions per second that kiosk-agent ships to a local hub."""
    from nacl.public import PrivateKey

    from kiosk.outbox import Outbox
    from kiosk.store import open_store

    bindir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-outbox-") as tmp:
        root = Path(tmp)
        key = PrivateKey.generate()
        key_file = root / "sealing.key"
        key_file.write_text(base64.b64encode(bytes(key)).decode() + "\n")
        key_file.chmod(0o600)
        port = free_port()
        hub_toml = root / "hub.toml"
        hub_toml.write_text(
            f'[hub]\nlisten_port = {port}\ndata_dir = "{root / "hub"}"\ncookie_secure = false\n'
            f'[sealing]\nprivate_key_file = "{key_file}"\n'
            # Nothing listens here: the hub stores and retries, the figure is the intake's.
            f'[smtp]\nhost = "127.0.0.1"\nport = {free_port()}\n'
        )
        env = {**os.environ, "KIOSK_LOG_LEVEL": "WARNING"}
        hub_cli = [str(bindir / "kiosk-hub"), "--config", str(hub_toml)]
        made = subprocess.run(
            [*hub_cli, "kiosk", "add", "bench-kiosk", "--name", "Bench", "--location", "Here"],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
        token = made.stdout.strip().splitlines()[-1].split()[-1]
        from tests.peers.lifetime import spawn  # stopped however the bench ends

        hub = spawn([*hub_cli, "serve"], env=env, stderr=subprocess.DEVNULL)
        try:
            wait_for(port)
            data = root / "kiosk"
            kiosk_toml = root / "kiosk.toml"
            kiosk_toml.write_text(
                f'[kiosk]\nid = "bench-kiosk"\nhub_url = "http://127.0.0.1:{port}"\n'
                f'hub_token = "{token}"\n'
                f'hub_public_key = "{base64.b64encode(bytes(key.public_key)).decode()}"\n'
                f'data_dir = "{data}"\n'
            )
            data.mkdir()
            store = open_store(data / "kiosk.db")
            outbox = Outbox(store, bytes(key.public_key))
            pdf = base64.b64encode(os.urandom(200 * 1024)).decode("ascii")
            for number in range(submissions):
                payload = {
                    "form": "kansalaisneuvonta-contact",
                    "version": 1,
                    "reference": f"BENCH{number:04d}",
                    "language": "fi",
                    "answers": {"name": "Testi Testinen", "message": "Hei " * 100},
                    "pdf": pdf,
                    "attachments": [],
                    "kiosk_id": "bench-kiosk",
                }
                session = f"s{number}"
                outbox.put("form", payload, session_id=session, service="forms", outcome="sent")
            store.close()
            start = time.perf_counter()
            subprocess.run(
                [str(bindir / "kiosk-agent"), "--config", str(kiosk_toml), "--once"],
                check=True,
                env=env,
                stderr=subprocess.DEVNULL,
            )
            elapsed = time.perf_counter() - start
        finally:
            hub.terminate()
            hub.wait(10)
    return submissions / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--submissions", type=int, default=200)
    args = parser.parse_args()
    form_id, fields, render, pdf = render_and_pdf(args.runs)
    print(f"longest shipped form: {form_id} ({fields} fields), median of {args.runs} runs")
    print(f"  render, built and painted at 1920×1080: {statistics.median(render) * 1000:7.1f} ms")
    print(f"  PDF of the filled form:                 {statistics.median(pdf) * 1000:7.1f} ms")
    rates = [throughput(args.submissions) for _ in range(min(args.runs, 3))]
    print(
        f"outbox → local hub, {args.submissions} submissions with a 200 KB PDF each: "
        f"{statistics.median(rates):.1f} submissions/s (median of {len(rates)}; "
        f"runs {', '.join(f'{r:.1f}' for r in rates)})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
