#!/usr/bin/env python3
"""Publish built packages into the fleet's signed apt repository (docs/updates.md, "The
repository").

    python3 packaging/publish.py --repo DIR --key KEY [--gnupg-home DIR] [--export-key FILE]
                                 DEB...

Copies each .deb into DIR's pool (pool/main/<letter>/<package>/), lists every version there
with apt-ftparchive (suite `stable`, component `main`, architecture amd64), and signs the
index (InRelease, Release.gpg) with KEY, a key id, fingerprint or user id in the GnuPG home.
Every version stays listed, so that a kiosk can go back to one (Debian 12's reprepro keeps only
the newest version of a package, which is why it is not used). `--export-key FILE` writes the
public key, binary, for a box's `Signed-By`. Serve DIR as it is with any web server. Standard
library only; needs apt-ftparchive (apt-utils), dpkg-deb and gpg.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path

SUITE = "stable"
COMPONENT = "main"
ARCHITECTURE = "amd64"
ORIGIN = "kiosk"
RUNTIME = "kiosk-runtime"


class PublishError(Exception):
    """A step failed; the message says which and why."""


def run(command: list[str], env: dict[str, str], cwd: Path | None = None) -> str:
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, cwd=cwd, timeout=1800
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PublishError(f"{' '.join(command)}: {exc}") from exc
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()[-8:]
        raise PublishError(f"{' '.join(command)} exited {done.returncode}:\n" + "\n".join(said))
    return done.stdout


def signing_key(key: str, env: dict[str, str]) -> str:
    """The fingerprint of the secret key `key` names; PublishError if there is none."""
    try:
        listed = run(["gpg", "--batch", "--with-colons", "--list-secret-keys", key], env)
    except PublishError as exc:
        raise PublishError(
            f"no secret key {key!r} in the GnuPG home "
            f"{env.get('GNUPGHOME', '~/.gnupg')}: make one (packaging/README.md) or give "
            "--gnupg-home"
        ) from exc
    fingerprints = [line.split(":")[9] for line in listed.splitlines() if line.startswith("fpr:")]
    if not fingerprints:
        raise PublishError(f"gpg lists no fingerprint for {key!r}")
    return fingerprints[0]


def pool_path(repo: Path, package: str, version: str) -> Path:
    """Where a package's version lies in the pool, as Debian's archives lay it out."""
    return repo / "pool" / COMPONENT / package[0] / package / f"{package}_{version}_amd64.deb"


def field(deb: Path, name: str, env: dict[str, str]) -> str:
    return run(["dpkg-deb", "--field", str(deb), name], env).strip()


def include(repo: Path, deb: Path, env: dict[str, str]) -> str:
    """Copy `deb` into the pool; says what was done. The same version again is skipped when
    it is the same file, or the runtime (its version is a digest of the libraries in it, so a
    rebuild with that version holds the same), and refused otherwise (a box that has that
    version would never see the change)."""
    package, version = field(deb, "Package", env), field(deb, "Version", env)
    target = pool_path(repo, package, version)
    if target.is_file():
        if target.read_bytes() == deb.read_bytes():
            return f"{package} {version}: already published"
        if package == RUNTIME:
            return f"{package} {version}: already published (the same libraries), kept"
        raise PublishError(
            f"{package} {version} is already published with other contents: build it with "
            "a new version (--version) instead"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.new")
    shutil.copyfile(deb, temporary)
    temporary.replace(target)
    return f"{package} {version}: published"


def index(repo: Path, fingerprint: str, env: dict[str, str]) -> None:
    """The suite's package lists and its Release file over every version in the pool, signed
    with `fingerprint` (InRelease and Release.gpg); each file is replaced whole."""
    suite = repo / "dists" / SUITE
    lists = suite / COMPONENT / f"binary-{ARCHITECTURE}"
    lists.mkdir(parents=True, exist_ok=True)
    packages = run(["apt-ftparchive", "--arch", ARCHITECTURE, "packages", "pool"], env, repo)
    write(lists / "Packages", packages.encode())
    write(lists / "Packages.gz", gzip.compress(packages.encode(), mtime=0))
    options = {
        "Origin": ORIGIN,
        "Label": ORIGIN,
        "Suite": SUITE,
        "Codename": SUITE,
        "Architectures": ARCHITECTURE,
        "Components": COMPONENT,
        "Description": "the public e-services kiosk's packages",
    }
    release_command = ["apt-ftparchive"]
    for name, value in options.items():
        release_command += ["-o", f"APT::FTPArchive::Release::{name}={value}"]
    # Listed from inside the suite so that the hashes name paths relative to it.
    (suite / "Release").unlink(missing_ok=True)
    release = run([*release_command, "release", "."], env, suite)
    write(suite / "Release", release.encode())
    gpg = ["gpg", "--batch", "--yes", "--local-user", fingerprint, "--digest-algo", "SHA512"]
    run([*gpg, "--clearsign", "-o", str(suite / "InRelease.new"), str(suite / "Release")], env)
    run([*gpg, "--armor", "--detach-sign", "-o", str(suite / "Release.gpg.new"),
         str(suite / "Release")], env)  # fmt: skip
    (suite / "Release.gpg.new").replace(suite / "Release.gpg")
    (suite / "InRelease.new").replace(suite / "InRelease")


def write(path: Path, content: bytes) -> None:
    temporary = path.with_name(f".{path.name}.new")
    temporary.write_bytes(content)
    temporary.replace(path)


def export_key(fingerprint: str, target: Path, env: dict[str, str]) -> None:
    key = subprocess.run(
        ["gpg", "--batch", "--export", fingerprint], capture_output=True, env=env, check=False
    )
    if key.returncode != 0 or not key.stdout:
        raise PublishError(f"gpg could not export the public key {fingerprint}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(key.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="packaging/publish.py", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--repo", type=Path, required=True, help="the repository's folder")
    parser.add_argument("--key", required=True, help="the signing key (id, fingerprint, user id)")
    parser.add_argument("--gnupg-home", type=Path, help="GnuPG home with the secret key")
    parser.add_argument("--export-key", type=Path, metavar="FILE", help="write the public key")
    parser.add_argument("debs", type=Path, nargs="*", metavar="DEB", help="packages to add")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    if args.gnupg_home:
        env["GNUPGHOME"] = str(args.gnupg_home.resolve())
    missing = [str(deb) for deb in args.debs if not deb.is_file()]
    if missing:
        print(f"publish.py: no such package file: {', '.join(missing)}", file=sys.stderr)
        return 2
    repo: Path = args.repo.resolve()
    try:
        fingerprint = signing_key(args.key, env)
        for deb in args.debs:
            print(include(repo, deb.resolve(), env))
        index(repo, fingerprint, env)
        if args.export_key:
            export_key(fingerprint, args.export_key, env)
    except PublishError as exc:
        print(f"publish.py: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
