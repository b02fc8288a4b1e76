"""Shared fixtures: Qt offscreen, a kiosk config on temporary folders, a controllable clock."""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")

from nacl.public import PrivateKey
from PySide6.QtCore import QCoreApplication, Qt

from hub.config import DATABASE_URL_VARIABLE
from kiosk import threads
from kiosk.config import Config, load_config
from kiosk.devices.camera.simulated import SimulatedCamera
from kiosk.devices.registry import backend_names
from kiosk.devices.status import DeviceClass
from kiosk.engine import Engine
from kiosk.services import SERVICES
from tests.peers.aptrepo import BuiltPackages, build_packages
from tests.peers.postgres import STORE_VARIABLE, PostgresServer
from tests.peers.websites import set_chromium_flags

# QtWebEngine reads these once, when it starts: the e-service test sites' host names, and no
# Chromium sandbox when running as root.
set_chromium_flags(os.environ)
# A camera and a microphone for pages to ask for (the kiosk must refuse them): Chromium's fake
# devices, which only answer once permission is granted.
if "--use-fake-device-for-media-stream" not in os.environ["QTWEBENGINE_CHROMIUM_FLAGS"]:
    os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] += " --use-fake-device-for-media-stream"
# And QtWebEngine shares OpenGL contexts with the widgets: Qt must know before the application
# exists (as kiosk.ui.main says it before making the kiosk's).
QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)

#: The test hub's key pair: kiosks in tests seal their submissions to its public key, and a
#: test opens them with the private one, as the hub does.
HUB_KEY = PrivateKey.generate()
HUB_PUBLIC_KEY = base64.b64encode(bytes(HUB_KEY.public_key)).decode()

#: Generous on purpose: the machine is shared and slow; a passing test never waits this long.
FIXTURE_DEADLINE = 60.0


# A call that can block, made on the Qt thread, fails the test that makes it (kiosk.threads).
threads.strict = True


@pytest.fixture(autouse=True)
def _no_ui_thread_after_test() -> Iterator[None]:
    """A window marks the Qt thread as the UI thread; tests without one call blocking work from
    the same (main) thread, as a worker would."""
    yield
    threads.clear_ui_thread()


class FakeClock:
    """A monotonic clock the test moves by hand, so idle timeouts need no waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[..., Config]:
    """Write a kiosk.toml under tmp_path from the given TOML text and load it."""

    def make(extra: str = "", *, printer_output_dir: Path | None = None) -> Config:
        keep = f'output_dir = "{printer_output_dir}"' if printer_output_dir else ""
        text = f"""
[kiosk]
data_dir = "{tmp_path / "data"}"
hub_public_key = "{HUB_PUBLIC_KEY}"
[session]
folder = "{tmp_path / "sessions"}"
idle_seconds = 60
warning_seconds = 30
[ui]
fullscreen = false
[technician]
hold_seconds = 2
[devices.printer]
pages_per_minute = 120
{keep}
[devices.payment]
delay_seconds = 0
{extra}
"""
        path = tmp_path / "kiosk.toml"
        path.write_text(text)
        return load_config(
            path,
            backends={c.value: backend_names(c) for c in DeviceClass},
            services=SERVICES.keys(),
        )

    return make


@pytest.fixture
def config(make_config: Callable[..., Config]) -> Config:
    return make_config()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where a test saves its screenshots: the test's own temporary folder, or, to keep them,
    the folder named by KIOSK_TEST_SHOTS (outside the working tree)."""
    kept = os.environ.get("KIOSK_TEST_SHOTS")
    folder = Path(kept) if kept else tmp_path / "shots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def engine() -> Iterator[Engine]:
    """The kiosk's engine loop, started; stopped after the test."""
    running = Engine()
    running.start()
    yield running
    running.stop(timeout=FIXTURE_DEADLINE)


class MakeCamera(Protocol):
    def __call__(
        self, width: int = 1280, height: int = 720, fps: int = 30, *, streaming: bool = True
    ) -> SimulatedCamera: ...


@pytest.fixture
def make_camera() -> Iterator[MakeCamera]:
    """Simulated cameras, opened and (unless told otherwise) streaming; all stopped after."""
    made: list[SimulatedCamera] = []

    def make(
        width: int = 1280, height: int = 720, fps: int = 30, *, streaming: bool = True
    ) -> SimulatedCamera:
        cam = SimulatedCamera("camera", width=width, height=height, fps=fps)
        made.append(cam)
        cam.start()
        cam.worker.submit(lambda: None).result(FIXTURE_DEADLINE)  # opened
        if streaming:
            cam.start_stream()
        return cam

    yield make
    for cam in made:
        cam.stop_stream()
        cam.stop()


@pytest.fixture
def camera(make_camera: MakeCamera) -> SimulatedCamera:
    """A streaming simulated camera at 1280x720, 30 fps."""
    return make_camera()


@pytest.fixture(autouse=True)
def no_leftover_threads() -> Iterator[None]:
    """A test that leaves a thread of ours running fails (devices, engine, store writer)."""
    before = set(threading.enumerate())
    yield
    deadline = threading.Event()
    for _ in range(50):
        left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not left:
            return
        deadline.wait(0.1)
    names = ", ".join(t.name for t in left)
    pytest.fail(f"threads left running after the test: {names}")


@pytest.fixture(scope="session")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltPackages]:
    """The kiosk's Debian packages for the run: kiosk-runtime built once (the long step), and
    kiosk of any version on demand (tests.peers.aptrepo)."""
    yield build_packages(tmp_path_factory.mktemp("debs"))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A private PostgreSQL for the run (tests.peers.postgres)."""
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): a test of the hub's SQLite file itself (its mode, backups, a full"
        " disk, a PRAGMA), skipped when the hub's tests run on PostgreSQL",
    )


@pytest.fixture(autouse=True)
def _hub_store_on_postgres(request: pytest.FixtureRequest) -> Iterator[None]:
    """With KIOSK_TEST_STORE=postgresql, each test's hub store is a fresh PostgreSQL schema:
    `load_config` and the `kiosk-hub` processes a test starts read $KIOSK_HUB_DATABASE_URL.
    A test marked `sqlite_only` is skipped then, with its reason."""
    if os.environ.get(STORE_VARIABLE) != "postgresql":
        yield
        return
    marker = request.node.get_closest_marker("sqlite_only")
    if marker is not None:
        reason = marker.args[0] if marker.args else marker.kwargs.get("reason", "")
        if not reason:
            pytest.fail("sqlite_only needs a reason: why the test means nothing on PostgreSQL")
        pytest.skip(f"SQLite only: {reason}")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.schema_url()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(DATABASE_URL_VARIABLE, url)
        yield
    server.drop_schema(url)
