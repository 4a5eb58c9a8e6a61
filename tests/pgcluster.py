"""A throw-away PostgreSQL cluster for the store tests: found, started, and stopped at the end of the session.

Order of preference: the URL in DEPSCAN_TEST_POSTGRES (a server someone
else runs); else initdb and postgres from PATH or /usr/lib/postgresql/*/bin,
started in a temporary directory on a free local port with its socket
directory inside it. PostgreSQL refuses to run as root: as root the cluster
belongs to `nobody` (its directory is made theirs) and every command runs
through `runuser`. When none of this works, `unavailable` says why, and the
tests that need PostgreSQL skip with that reason.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

#: the unprivileged account a root session runs the cluster as
UNPRIVILEGED_USER = "nobody"
START_TIMEOUT = 60.0


def find_binaries() -> Path | None:
    """The directory holding initdb and postgres: PATH first, then Debian's versioned directories, newest first."""
    initdb = shutil.which("initdb")
    if initdb and shutil.which("postgres"):
        return Path(initdb).parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda path: [int(part) if part.isdigit() else 0 for part in Path(path).parent.name.split(".")],
        reverse=True,
    )
    for directory in candidates:
        if (Path(directory) / "initdb").exists() and (Path(directory) / "postgres").exists():
            return Path(directory)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """initdb + postgres in a temporary directory; `url` once started, `stop()` removes everything."""

    def __init__(self, binaries: Path, durable: bool = False) -> None:
        self.binaries = binaries
        self.durable = durable  # fsync on, as a production server (benchmarks); off for tests
        self.root = Path(tempfile.mkdtemp(prefix="depscan-pg-"))
        self.data = self.root / "data"
        self.sockets = self.root / "sockets"
        self.log = self.root / "postgres.log"
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"postgresql://depscan@127.0.0.1:{self.port}/postgres"
        self._prefix: list[str] = []
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            if runuser is None:
                raise RuntimeError("running as root and runuser is missing: cannot start PostgreSQL unprivileged")
            import pwd

            account = pwd.getpwnam(UNPRIVILEGED_USER)
            self._prefix = [runuser, "-u", UNPRIVILEGED_USER, "--"]
            self.sockets.mkdir()
            for path in (self.root, self.sockets):
                os.chown(path, account.pw_uid, account.pw_gid)
            os.chmod(self.root, 0o700)
        else:
            self.sockets.mkdir()

    def start(self) -> str:
        initdb = subprocess.run(
            [
                *self._prefix,
                str(self.binaries / "initdb"),
                "--pgdata",
                str(self.data),
                "--username",
                "depscan",
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--no-sync",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=self.root,
        )
        if initdb.returncode != 0:
            raise RuntimeError(f"initdb failed: {initdb.stderr.strip() or initdb.stdout.strip()}")
        log = open(self.log, "ab")  # noqa: SIM115 - the server writes to it until stop()
        self.process = subprocess.Popen(
            [
                *self._prefix,
                str(self.binaries / "postgres"),
                "-D",
                str(self.data),
                "-p",
                str(self.port),
                "-k",
                str(self.sockets),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "max_connections=200",
                *(
                    []
                    if self.durable
                    else ["-c", "fsync=off", "-c", "full_page_writes=off"]  # throw-away: speed over durability
                ),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.root,
        )
        log.close()
        self._wait_ready()
        return self.url

    def _wait_ready(self) -> None:
        import psycopg

        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"postgres exited at start: {self._log_tail()}")
            try:
                with psycopg.connect(self.url, connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"postgres did not accept connections in {START_TIMEOUT:.0f} s") from None
                time.sleep(0.2)

    def _log_tail(self) -> str:
        try:
            return " | ".join(self.log.read_text(errors="replace").strip().splitlines()[-5:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """Fast shutdown of the postmaster (signalled directly: runuser may stand between), then remove it all."""
        if self.process is not None:
            pid_file = self.data / "postmaster.pid"
            try:
                postmaster = int(pid_file.read_text().split("\n", 1)[0])
                os.kill(postmaster, signal.SIGINT)
            except (OSError, ValueError):
                self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)


def start(durable: bool = False) -> tuple[str | None, Cluster | None, str | None]:
    """(url, cluster to stop or None, reason when unavailable)."""
    given = os.environ.get("DEPSCAN_TEST_POSTGRES")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return None, None, "psycopg is not installed (pip install -e '.[test]')"
    if given:
        return given, None, None
    binaries = find_binaries()
    if binaries is None:
        return None, None, "no PostgreSQL server binaries (initdb, postgres) found and DEPSCAN_TEST_POSTGRES unset"
    try:
        cluster = Cluster(binaries, durable)
    except (RuntimeError, KeyError, OSError) as exc:
        return None, None, f"cannot prepare a PostgreSQL cluster: {exc}"
    try:
        return cluster.start(), cluster, None
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        cluster.stop()
        return None, None, f"cannot start PostgreSQL from {binaries}: {exc}"
