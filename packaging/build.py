#!/usr/bin/env python3
"""Build the kiosk's two Debian packages from this checkout (docs/updates.md, "The packages").

    python3 packaging/build.py --out DIR [--version V] [--only kiosk|kiosk-runtime]

`kiosk-runtime_<lock>_amd64.deb`: /opt/kiosk/venv, a virtual environment of Debian's python3
(3.11) with the third-party libraries pyproject.toml names (the main ones and the `devices`
extra), installed by pip; `<lock>` is a digest of what pip resolved, so it changes only when
a dependency does. `kiosk_<version>_amd64.deb`: the project's own packages in that
environment's site-packages, its programs in /opt/kiosk/venv/bin and its systemd units.

Standard library only; run it with any python3, as root (dpkg-deb keeps root as the owner of
every file). The environment is made with Debian's /usr/bin/python3 (`--python`), because the
box runs that one. Nothing is written outside --out and --work.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
INSTALL = "/opt/kiosk/venv"
PY = "python3.11"
SITE = f"{INSTALL}/lib/{PY}/site-packages"
UNIT_DIR = "/lib/systemd/system"
#: The project's own packages that run on a kiosk (the hub is a server of its own).
OWN_PACKAGES = ("kiosk", "eforms", "sqlschema", "eservices", "provisioning")
#: Console scripts of pyproject.toml that are not for a kiosk box.
NOT_ON_A_KIOSK = ("kiosk-hub",)
MAINTAINER = "Kiosk maintainers <kiosk@localhost>"
#: Debian's libraries the wheels load: Qt (its Wayland platform, OpenGL, fonts, D-Bus),
#: QtWebEngine's NSS, ALSA, GBM and X11 libraries, Qt's TextToSpeech (speech-dispatcher's
#: client library and PulseAudio's), pycups' libcups and pyscard's PC/SC library. PyAV,
#: OpenCV, PyNaCl and cryptography bring their own. (Qt's X11 platform, GTK theme and SQL
#: drivers load more, but the kiosk uses none of them.)
LIBRARIES = (
    "libgl1", "libegl1", "libfontconfig1", "libfreetype6", "libxkbcommon0", "libglib2.0-0",
    "libdbus-1-3", "libwayland-client0", "libwayland-cursor0", "libwayland-egl1",
    "libnss3", "libasound2", "libgbm1", "libxcb-dri3-0", "libxcomposite1", "libxdamage1",
    "libxrandr2", "libxtst6", "libxkbfile1", "libxshmfence1", "libspeechd2", "libpulse0",
    "libcups2", "libpcsclite1",
)  # fmt: skip
PYTHON_DEPENDS = "python3 (>= 3.11), python3 (<< 3.12)"
#: What the app itself runs besides Python: page pictures for Print's preview, a font.
KIOSK_DEPENDS = ("poppler-utils", "fonts-dejavu-core")
#: A whole box: the compositor, printing, smart cards, speech, the logind session, polkit.
KIOSK_RECOMMENDS = (
    "cage", "xwayland", "libpam-systemd", "cups", "cups-ipp-utils", "avahi-daemon", "pcscd",
    "libccid", "v4l-utils", "polkitd", "speech-dispatcher",
    "speech-dispatcher-espeak-ng", "espeak-ng",
)  # fmt: skip
DEBIAN_VERSION = re.compile(r"[0-9][A-Za-z0-9.+~-]{0,63}")


class BuildError(Exception):
    """A build step failed; the message says which and why."""


def run(command: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    shown = " ".join(command)
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, cwd=cwd, timeout=3600
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuildError(f"{shown}: {exc}") from exc
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()[-15:]
        raise BuildError(f"{shown} exited {done.returncode}:\n" + "\n".join(said))
    return done.stdout


def pip_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1", PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    return env


def project() -> dict[str, object]:
    with (REPO / "pyproject.toml").open("rb") as f:
        found: dict[str, object] = tomllib.load(f)["project"]
    return found


def third_party_requirements() -> list[str]:
    """pyproject's main dependencies and its `devices` extra."""
    meta = project()
    main: list[str] = meta["dependencies"]  # type: ignore[assignment]
    extras: dict[str, list[str]] = meta["optional-dependencies"]  # type: ignore[assignment]
    return [*main, *(r for r in extras["devices"] if r not in main)]


def check_python(python: str) -> None:
    out = run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]).strip()
    if out != "3.11":
        raise BuildError(f"{python} is Python {out}; the box's Debian 12 python3 is 3.11")


def point_at_install(venv: Path) -> None:
    """The environment made at `venv` names INSTALL, where the package puts it: its scripts'
    #! lines, the activate scripts and pyvenv.cfg."""
    made_at = str(venv).encode()
    for script in (venv / "bin").iterdir():
        if script.is_symlink() or not script.is_file():
            continue
        content = script.read_bytes()
        if made_at in content and (content.startswith(b"#!") or script.name.startswith("activ")):
            script.write_bytes(content.replace(made_at, INSTALL.encode()))
    config = venv / "pyvenv.cfg"
    config.write_bytes(config.read_bytes().replace(made_at, INSTALL.encode()))


def compile_below(stage: Path, folder: Path, python: str) -> None:
    """Byte-code for every module below `folder`, naming its place on the box, so that Python
    never writes into /opt/kiosk/venv on a box (its files are dpkg's)."""
    command = [python, "-m", "compileall", "-q", "-j", "0", "-s", str(stage), "-p", "/"]
    # A few libraries ship files that are not Python 3.11 on purpose (templates, tests):
    # those stay source only; everything else is compiled.
    subprocess.run([*command, str(folder)], capture_output=True, timeout=3600)


def installed_size(stage: Path) -> int:
    """In KiB, as dpkg's Installed-Size wants it."""
    total = 0
    for path in stage.rglob("*"):
        if path.is_file() and not path.is_symlink() and "DEBIAN" not in path.parts:
            total += path.stat().st_size
    return total // 1024 + 1


def write_control(stage: Path, fields: dict[str, str]) -> None:
    debian = stage / "DEBIAN"
    debian.mkdir(parents=True, exist_ok=True)
    fields = {**fields, "Installed-Size": str(installed_size(stage))}
    text = "".join(f"{key}: {value}\n" for key, value in fields.items())
    (debian / "control").write_text(text)


def dpkg_deb(stage: Path, deb: Path) -> Path:
    deb.unlink(missing_ok=True)
    run(["dpkg-deb", "--root-owner-group", "-Zzstd", "-z3", "--build", str(stage), str(deb)])
    return deb


def build_runtime(out: Path, work: Path, python: str) -> tuple[Path, str]:
    """kiosk-runtime: returns the .deb and its version (the lock)."""
    check_python(python)
    stage = work / "kiosk-runtime"
    shutil.rmtree(stage, ignore_errors=True)
    venv = stage / INSTALL.lstrip("/")
    run([python, "-m", "venv", str(venv)])
    requirements = work / "requirements.txt"
    requirements.write_text("\n".join(third_party_requirements()) + "\n")
    pip = [str(venv / "bin" / "python"), "-m", "pip"]
    run([*pip, "install", "--no-compile", "-r", str(requirements)], env=pip_env())
    frozen = run([*pip, "freeze"], env=pip_env())
    resolved = sorted(line for line in frozen.splitlines() if line and not line.startswith("#"))
    digest = hashlib.sha256(("python 3.11\n" + "\n".join(resolved)).encode()).hexdigest()
    lock = f"0.{digest[:12]}"
    (venv / "kiosk-runtime.lock").write_text("\n".join(resolved) + "\n")
    point_at_install(venv)
    compile_below(stage, venv / "lib", python)
    write_control(
        stage,
        {
            "Package": "kiosk-runtime",
            "Version": lock,
            "Architecture": "amd64",
            "Maintainer": MAINTAINER,
            "Section": "misc",
            "Priority": "optional",
            "Depends": ", ".join((PYTHON_DEPENDS, *LIBRARIES)),
            "Description": "Python environment of the public e-services kiosk\n"
            " /opt/kiosk/venv: Debian's python3 with the third-party libraries the kiosk\n"
            " runs on (PySide6, OpenCV, PyAV, aiortc, pycups, pyscard, ...), as resolved\n"
            " when the package was built (the list is in kiosk-runtime.lock there).",
        },
    )
    return dpkg_deb(stage, out / f"kiosk-runtime_{lock}_amd64.deb"), lock


def build_env(work: Path, python: str) -> Path:
    """A small environment of `python` with pip, to build the project's wheel in."""
    env = work / "build-env"
    if not (env / "bin" / "python").exists():
        run([python, "-m", "venv", str(env)])
    return env / "bin" / "python"


def console_scripts() -> list[str]:
    scripts: dict[str, str] = project().get("scripts", {})  # type: ignore[assignment]
    return [name for name in scripts if name not in NOT_ON_A_KIOSK]


def copy_source(work: Path, version: str) -> Path:
    """The project's kiosk packages and pyproject.toml, its version set to `version`."""
    source = work / "source"
    shutil.rmtree(source, ignore_errors=True)
    source.mkdir(parents=True)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for package in OWN_PACKAGES:
        shutil.copytree(REPO / package, source / package, ignore=skip)
    shutil.copy2(REPO / "README.md", source / "README.md")
    text = (REPO / "pyproject.toml").read_text()
    text, found = re.subn(r'(?m)^version = "[^"]*"$', f'version = "{version}"', text, count=1)
    if not found:
        raise BuildError("pyproject.toml has no version line under [project]")
    (source / "pyproject.toml").write_text(text)
    return source


def build_kiosk(out: Path, work: Path, python: str, version: str, runtime: str) -> Path:
    """kiosk `version`, depending on kiosk-runtime `runtime`."""
    check_python(python)
    stage = work / "kiosk"
    shutil.rmtree(stage, ignore_errors=True)
    target = work / "kiosk-target"
    shutil.rmtree(target, ignore_errors=True)
    source = copy_source(work, version)
    pip = [str(build_env(work, python)), "-m", "pip"]
    install = [*pip, "install", "--no-deps", "--no-compile", "--target", str(target), str(source)]
    run(install, env=pip_env(), cwd=work)
    made = [p.name for p in target.glob("kiosk-*.dist-info")]
    if made != [f"kiosk-{version}.dist-info"]:
        raise BuildError(
            f"--version {version}: Python would call this build {made}; give a version that "
            "is the same in Debian and Python (digits and dots, such as 0.3.0)"
        )
    for direct_url in target.glob("*.dist-info/direct_url.json"):
        direct_url.unlink()  # names the build folder, not where it came from
    site = stage / SITE.lstrip("/")
    bin_dir = stage / INSTALL.lstrip("/") / "bin"
    site.mkdir(parents=True)
    bin_dir.mkdir(parents=True)
    for name in console_scripts():
        script = (target / "bin" / name).read_bytes()
        _shebang, _, rest = script.partition(b"\n")
        (bin_dir / name).write_bytes(f"#!{INSTALL}/bin/python\n".encode() + rest)
        (bin_dir / name).chmod(0o755)
    shutil.rmtree(target / "bin")
    for entry in target.iterdir():
        shutil.move(str(entry), site / entry.name)
    compile_below(stage, site, python)
    units = stage / UNIT_DIR.lstrip("/")
    units.mkdir(parents=True)
    for unit in sorted((REPO / "systemd").iterdir()):
        if unit.name.startswith("kiosk") and not unit.name.startswith("kiosk-hub"):
            shutil.copy2(unit, units / unit.name)
    scripts = Path(__file__).resolve().parent / "debian"
    (stage / "DEBIAN").mkdir()
    for name in ("postinst", "postrm"):
        shutil.copy2(scripts / f"kiosk.{name}", stage / "DEBIAN" / name)
        (stage / "DEBIAN" / name).chmod(0o755)
    write_control(
        stage,
        {
            "Package": "kiosk",
            "Version": version,
            "Architecture": "amd64",
            "Maintainer": MAINTAINER,
            "Section": "misc",
            "Priority": "optional",
            "Depends": ", ".join(
                (f"kiosk-runtime (= {runtime})", PYTHON_DEPENDS, *LIBRARIES, *KIOSK_DEPENDS)
            ),
            "Recommends": ", ".join(KIOSK_RECOMMENDS),
            "Description": "public e-services kiosk for libraries\n"
            " The touchscreen app (kiosk), its companion service (kiosk-agent), the updater\n"
            " and kiosk-provision, with their systemd units. The units are neither\n"
            " enabled nor restarted here: kiosk-provision enables them, the updater\n"
            " restarts them in the maintenance window.",
        },
    )
    return dpkg_deb(stage, out / f"kiosk_{version}_amd64.deb")


def runtime_in(out: Path) -> str:
    """The version of the kiosk-runtime package already built in `out` (the newest)."""
    built = sorted(out.glob("kiosk-runtime_*_amd64.deb"), key=lambda p: p.stat().st_mtime)
    if not built:
        raise BuildError(f"no kiosk-runtime_*.deb in {out}: build it first (--only kiosk-runtime)")
    return run(["dpkg-deb", "--field", str(built[-1]), "Version"]).strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="packaging/build.py", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the .deb files")
    parser.add_argument("--version", help="the kiosk package's version (default: pyproject's)")
    parser.add_argument("--only", choices=("kiosk", "kiosk-runtime"), help="build one of them")
    parser.add_argument("--work", type=Path, help="staging folder (default: OUT/.work)")
    parser.add_argument("--python", default="/usr/bin/python3", help="the box's python3")
    parser.add_argument("--runtime-version", help="with --only kiosk: the runtime to depend on")
    args = parser.parse_args(argv)
    version = args.version or str(project()["version"])
    if not DEBIAN_VERSION.fullmatch(version):
        print(f"build.py: --version {version!r} is not a Debian version", file=sys.stderr)
        return 2
    out: Path = args.out.resolve()
    work: Path = (args.work or out / ".work").resolve()
    out.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    try:
        if args.only != "kiosk":
            deb, runtime = build_runtime(out, work, args.python)
            print(deb)
        else:
            runtime = args.runtime_version or runtime_in(out)
        if args.only != "kiosk-runtime":
            print(build_kiosk(out, work, args.python, version, runtime))
    except BuildError as exc:
        print(f"build.py: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
