"""A throwaway PostgreSQL server on loopback, for tests that must prove the PostgreSQL path.

We start the machine's own ``initdb``/``pg_ctl`` rather than mocking or requiring a
running service, so a fresh clone (and CI) tests the real database with nothing to set up.
The server is disposable by design: trust authentication for loopback and its own socket
folder only, fsync off, everything in one temporary folder removed on ``stop``.

PostgreSQL refuses to run as root. CI runs as root, so there the server runs as an
unprivileged account (``nobody``, or a dedicated one created only if that is missing):
the child processes switch user through ``subprocess``'s ``user=``/``group=`` (setuid in
the child, no dependence on runuser/setpriv/su being installed or PAM being configured),
and the temporary folder is handed to that account.
"""

from __future__ import annotations

import atexit
import contextlib
import getpass
import os
import pwd
import re
import shutil
import socket
import stat
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

#: Where Debian and Ubuntu put the server binaries (not on PATH by default).
DEBIAN_GLOB = "/usr/lib/postgresql/*/bin"
#: The account PostgreSQL runs as when we are root; created only if it does not exist.
FALLBACK_ACCOUNT = "desktopdesk-pg"
#: Unix socket paths are limited to 107 bytes; ours add 47 to the temporary folder's path
#: ("/desktopdesk-pg-XXXXXXXX/socket/.s.PGSQL.NNNNN").
MAX_TEMP_PARENT = 60
START_ATTEMPTS = 5
TIMEOUT_S = 60

#: A server for tests only: durability off (it is thrown away), commit timestamps on so
#: tests can check that versions follow commit order.
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "track_commit_timestamp": "on",
    "max_connections": "40",
    "shared_buffers": "32MB",
    "log_min_messages": "warning",
}


class PostgresUnavailableError(RuntimeError):
    """No PostgreSQL binaries on this machine: tests needing it are skipped, not failed."""


def find_bindir() -> Path:
    """The folder holding initdb, pg_ctl and postgres: from PATH, else Debian's layout."""
    candidates: list[Path] = []
    on_path = shutil.which("initdb")
    if on_path:
        # Follow symlinks (/usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb):
        # pg_ctl must come from the same installation as initdb.
        candidates.append(Path(on_path).resolve().parent)
    by_version = sorted(Path("/").glob(DEBIAN_GLOB.lstrip("/")), key=_major_version,
                        reverse=True)
    candidates.extend(by_version)
    for bindir in candidates:
        if all(os.access(bindir / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")):
            return bindir
    raise PostgresUnavailableError(
        f"no initdb/pg_ctl/postgres on PATH or in {DEBIAN_GLOB} (install the 'postgresql' "
        "package, as .ci/run does)"
    )


def _major_version(bindir: Path) -> int:
    match = re.fullmatch(r"\d+", bindir.parent.name)
    return int(match.group()) if match else -1


@dataclass(frozen=True)
class Account:
    """Who the server processes run as; ``None`` ids mean "as ourselves"."""

    name: str
    uid: int | None = None
    gid: int | None = None

    @property
    def switches(self) -> bool:
        return self.uid is not None


def server_account() -> Account:
    """Ourselves, unless we are root: then an unprivileged account PostgreSQL accepts."""
    if os.geteuid() != 0:
        return Account(getpass.getuser())
    try:
        entry = pwd.getpwnam("nobody")
    except KeyError:
        entry = _dedicated_account()
    return Account(entry.pw_name, entry.pw_uid, entry.pw_gid)


def _dedicated_account() -> pwd.struct_passwd:
    with contextlib.suppress(KeyError):
        return pwd.getpwnam(FALLBACK_ACCOUNT)
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
         FALLBACK_ACCOUNT],
        check=True, capture_output=True, timeout=TIMEOUT_S,
    )
    return pwd.getpwnam(FALLBACK_ACCOUNT)


def _free_port() -> int:
    """A port free right now; a race with another process is handled by retrying start."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _reachable_by_others(path: Path) -> bool:
    """Every folder above ``path`` lets other accounts through (the server runs as one)."""
    return all(folder.stat().st_mode & stat.S_IXOTH for folder in [path, *path.parents])


def _make_base_dir(account: Account) -> Path:
    """A fresh folder for data, socket and log; owned by the server's account.

    Unique per call (``mkdtemp``), so several pytest-xdist workers never share one.
    """
    parent = Path(tempfile.gettempdir())
    too_long = len(str(parent)) > MAX_TEMP_PARENT
    if too_long or (account.switches and not _reachable_by_others(parent)):
        parent = Path("/tmp")  # sticky and world-traversable on every Unix we run on
    base = Path(tempfile.mkdtemp(prefix="desktopdesk-pg-", dir=parent))
    if account.switches:
        assert account.uid is not None
        assert account.gid is not None
        os.chown(base, account.uid, account.gid)
    return base


@dataclass
class PostgresServer:
    """One running server; ``create_database`` hands out isolated databases from it."""

    bindir: Path
    base: Path
    account: Account
    superuser: str
    port: int = 0
    _running: bool = field(default=False, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base / "socket"

    @property
    def log_file(self) -> Path:
        return self.base / "server.log"

    def url(self, database: str) -> str:
        """An SQLAlchemy URL over TCP loopback (what a deployed server would use)."""
        return f"postgresql+psycopg://{self.superuser}@127.0.0.1:{self.port}/{database}"

    # --- Lifecycle ------------------------------------------------------------------------

    def init(self) -> None:
        self.socket_dir.mkdir(mode=0o700)
        self._give_to_server(self.socket_dir)
        self._run_as_server(
            str(self.bindir / "initdb"), "--pgdata", str(self.data_dir),
            "--username", self.superuser, "--auth", "trust", "--encoding", "UTF8",
            "--locale", "C", "--no-instructions", "--no-sync",
        )
        # Loopback and the private socket only, whatever initdb's template said.
        self._write_as_server(
            self.data_dir / "pg_hba.conf",
            "local all all trust\nhost all all 127.0.0.1/32 trust\n",
        )
        settings = dict(SERVER_SETTINGS, unix_socket_directories=f"'{self.socket_dir}'")
        conf = "".join(f"{key} = {value}\n" for key, value in settings.items())
        self._write_as_server(self.data_dir / "postgresql.auto.conf", conf)

    def start(self) -> None:
        """Start on a free port; retried with another if someone took it meanwhile."""
        failure = ""
        for _ in range(START_ATTEMPTS):
            self.port = _free_port()
            result = self._run_as_server(
                str(self.bindir / "pg_ctl"), "start", "--wait", f"--timeout={TIMEOUT_S}",
                "--pgdata", str(self.data_dir), "--log", str(self.log_file),
                "-o", f"-p {self.port}", check=False,
            )
            if result.returncode == 0:
                self._running = True
                return
            failure = result.stdout + result.stderr + self._log_tail()
        raise RuntimeError(f"PostgreSQL did not start in {self.base}:\n{failure}")

    def stop(self) -> None:
        """Stop the server and remove every file it had.

        Immediate mode: nothing is worth a shutdown checkpoint, the data is deleted next.
        """
        if self._running:
            pg_ctl = str(self.bindir / "pg_ctl")
            stopped = self._run_as_server(
                pg_ctl, "stop", "--wait", f"--timeout={TIMEOUT_S}", "--pgdata",
                str(self.data_dir), "--mode", "immediate", check=False,
            )
            # Exit status 3 from "status": not running (it may have stopped on its own).
            if stopped.returncode != 0 and self._run_as_server(
                pg_ctl, "status", "--pgdata", str(self.data_dir), check=False
            ).returncode != 3:
                raise RuntimeError(f"PostgreSQL in {self.base} did not stop:\n"
                                   f"{stopped.stdout}{stopped.stderr}")
            self._running = False
        atexit.unregister(self.stop)
        shutil.rmtree(self.base, ignore_errors=True)

    # --- Databases ------------------------------------------------------------------------

    def admin_connection(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(host="127.0.0.1", port=self.port, user=self.superuser,
                               dbname="postgres", autocommit=True)

    def create_database(self) -> str:
        """A new empty database (copied from template1); returns its SQLAlchemy URL."""
        name = f"test_{uuid.uuid4().hex[:16]}"
        with self.admin_connection() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template1").format(
                sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop it even if a test left a connection open (FORCE ends those sessions)."""
        name = url.rsplit("/", 1)[1]
        with self.admin_connection() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))

    # --- Running things as the server's account --------------------------------------------

    def _run_as_server(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        env.update(LC_ALL="C", LANG="C")
        if self.account.switches:
            env.update(HOME=str(self.base), USER=self.account.name, LOGNAME=self.account.name)
        result = subprocess.run(
            argv, cwd=self.base, env=env, capture_output=True, text=True, timeout=TIMEOUT_S * 2,
            user=self.account.uid, group=self.account.gid,
            extra_groups=[] if self.account.switches else None,
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({result.returncode}):\n"
                               f"{result.stdout}{result.stderr}")
        return result

    def _write_as_server(self, path: Path, text: str) -> None:
        path.write_text(text)
        self._give_to_server(path)

    def _give_to_server(self, path: Path) -> None:
        """PostgreSQL insists on owning its data and socket folders."""
        if self.account.switches:
            assert self.account.uid is not None
            assert self.account.gid is not None
            os.chown(path, self.account.uid, self.account.gid)

    def _log_tail(self) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-20:])
        except OSError:
            return ""


def start_server() -> PostgresServer:
    """Initialise and start a private server; raises ``PostgresUnavailableError`` if none.

    The server is also stopped at interpreter exit, in case the caller never gets to.
    """
    bindir = find_bindir()
    account = server_account()
    base = _make_base_dir(account)
    server = PostgresServer(bindir, base, account, superuser=getpass.getuser())
    try:
        server.init()
        server.start()
    except BaseException:
        server.stop()
        raise
    atexit.register(server.stop)
    return server
