"""The fleet's signed apt repository, private to a test run: an OpenPGP key made in a temporary
GnuPG home, packages published into a folder with `packaging/publish.py` (the command an admin
runs), and the folder served on 127.0.0.1 by Python's http.server in a process of its own.

Starts a real peer (an HTTP server): run tests that use it under `flock /tmp/kiosk-peers.lock`.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.peers import lifetime
from tests.peers.hub import wait_until
from tests.peers.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
PUBLISH = ROOT / "packaging" / "publish.py"
BUILD = ROOT / "packaging" / "build.py"
DEADLINE = 120.0


@dataclass(frozen=True)
class SigningKey:
    """An OpenPGP key with no passphrase in a GnuPG home of its own."""

    home: Path
    fingerprint: str
    #: The public key, binary, as a box's Signed-By file.
    public: Path

    def env(self) -> dict[str, str]:
        return {**os.environ, "GNUPGHOME": str(self.home)}

    def forget(self) -> None:
        """Stop the gpg-agent that signing started for this home."""
        subprocess.run(
            ["gpgconf", "--kill", "all"], env=self.env(), capture_output=True, check=False
        )


def make_key(folder: Path, name: str) -> SigningKey:
    """A new ed25519 signing key for `name`, in `folder`/gnupg."""
    home = folder / "gnupg"
    home.mkdir(parents=True, mode=0o700)
    env = {**os.environ, "GNUPGHOME": str(home)}
    user = f"{name} <{name}@kiosk.test>"
    make = ["gpg", "--batch", "--passphrase", "", "--quick-gen-key", user, "ed25519", "sign"]
    subprocess.run([*make, "never"], env=env, capture_output=True, check=True, timeout=DEADLINE)
    listed = subprocess.run(
        ["gpg", "--batch", "--with-colons", "--list-secret-keys", user],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    fingerprint = next(line.split(":")[9] for line in listed.splitlines() if line[:4] == "fpr:")
    public = folder / f"{name}.gpg"
    key = subprocess.run(["gpg", "--batch", "--export", fingerprint], env=env, capture_output=True)
    public.write_bytes(key.stdout)
    return SigningKey(home, fingerprint, public)


def publish(folder: Path, key: SigningKey, *debs: Path) -> str:
    """Run packaging/publish.py as an admin would; returns what it printed. Raises
    AssertionError with its message when it fails."""
    done = subprocess.run(
        [sys.executable, str(PUBLISH), "--repo", str(folder), "--key", key.fingerprint,
         "--gnupg-home", str(key.home), *map(str, debs)],
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


@dataclass
class AptRepo:
    """A signed repository in `folder`, served at `url` once started."""

    folder: Path
    key: SigningKey
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def publish(self, *debs: Path) -> str:
        return publish(self.folder, self.key, *debs)

    def pool_file(self, package: str, version: str) -> Path:
        return (
            self.folder / "pool" / "main" / package[0] / package / f"{package}_{version}_amd64.deb"
        )

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        log = (self.folder.parent / f"http-{self.port}.log").open("ab")
        argv = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1"]
        argv += ["--directory", str(self.folder), str(self.port)]
        self.process = lifetime.spawn(argv, stdout=log, stderr=subprocess.STDOUT)
        log.close()

        def answering() -> bool:
            assert self.process is not None and self.process.poll() is None, "http.server died"
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return True
            return False

        wait_until(answering, f"the repository is served on port {self.port}")

    def stop(self, *, keep_key: bool = False) -> None:
        """Stop serving; and stop the key's gpg-agent unless another repository shares it."""
        lifetime.stop(self.process)
        self.process = None
        if not keep_key:
            self.key.forget()


@contextlib.contextmanager
def served_repo(folder: Path, name: str = "kiosk-fleet") -> Iterator[AptRepo]:
    """A new key and an empty repository for it in `folder`, served until the block ends."""
    repo = AptRepo(folder / "repo", make_key(folder, name))
    repo.start()
    try:
        yield repo
    finally:
        repo.stop()


@dataclass
class BuiltPackages:
    """The kiosk's packages built by packaging/build.py into `out`: the runtime once, then a
    `kiosk` package for each version asked for (the tests' versions: 0.2.0, 0.3.0, ...)."""

    out: Path
    runtime: Path
    runtime_version: str

    def kiosk(self, version: str) -> Path:
        deb = self.out / f"kiosk_{version}_amd64.deb"
        if not deb.is_file():
            build(self.out, "--only", "kiosk", "--version", version,
                  "--runtime-version", self.runtime_version)  # fmt: skip
        return deb


def build(out: Path, *args: str) -> str:
    """Run packaging/build.py; returns what it printed, or raises AssertionError with why not."""
    done = subprocess.run(
        [sys.executable, str(BUILD), "--out", str(out), *args],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout


def build_packages(out: Path) -> BuiltPackages:
    """kiosk-runtime into `out` (the long step: a test session does it once)."""
    build(out, "--only", "kiosk-runtime")
    runtime = next(out.glob("kiosk-runtime_*_amd64.deb"))
    version = runtime.name.split("_")[1]
    return BuiltPackages(out, runtime, version)


SOURCES = "/etc/apt/sources.list.d/kiosk.sources"
KEYRING = "/usr/share/keyrings/kiosk-archive-keyring.gpg"


def use_repository(root: Path, url: str, key: Path) -> None:
    """Make the Debian root at `root` take the kiosk from `url`, trusting `key` alone for it
    (as kiosk-provision --apt-repo does; no [trusted=yes])."""
    keyring = root / KEYRING.lstrip("/")
    keyring.parent.mkdir(parents=True, exist_ok=True)
    keyring.write_bytes(key.read_bytes())
    source = root / SOURCES.lstrip("/")
    source.write_text(
        f"Types: deb\nURIs: {url}\nSuites: stable\nComponents: main\nSigned-By: {KEYRING}\n"
    )
