"""A primary PostgreSQL cluster and a streaming replica of it, private to one test run.

Built from the server binaries of the installed PostgreSQL (``initdb``, ``pg_basebackup -R``,
``pg_ctl``), in a temporary folder, on free ports of its own; it never touches another server.
``initdb`` refuses to run as root: as root, every command runs as the ``postgres`` system user.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

BIN_DIRS = ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin")
SERVER_USER = "postgres"


def bin_dir() -> Path | None:
    """Where initdb and pg_basebackup are (TALENTFLOW_PG_BIN, else Debian's layout), or None."""
    candidates = [os.environ.get("TALENTFLOW_PG_BIN", ""), *BIN_DIRS]
    for folder in candidates:
        if folder and (Path(folder) / "initdb").is_file():
            return Path(folder)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Cluster:
    bin: Path
    root: Path
    primary_port: int
    replica_port: int

    @property
    def primary_dir(self) -> Path:
        return self.root / "primary"

    @property
    def replica_dir(self) -> Path:
        return self.root / "replica"

    def url(self, port: int, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{port}/{database}"

    def primary_url(self, database: str = "postgres") -> str:
        return self.url(self.primary_port, database)

    def replica_url(self, database: str = "postgres") -> str:
        return self.url(self.replica_port, database)

    def run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr or done.stdout}")

    def pg_ctl(self, data: Path, action: str, *extra: str) -> None:
        self.run("pg_ctl", "-D", str(data), "-l", str(data.parent / f"{data.name}.log"), "-w",
                 action, *extra)  # fmt: skip

    def start_primary(self) -> None:
        self.pg_ctl(self.primary_dir, "start")

    def start_replica(self) -> None:
        self.pg_ctl(self.replica_dir, "start")

    def stop_replica(self, mode: str = "fast") -> None:
        self.pg_ctl(self.replica_dir, "stop", "-m", mode)

    def stop_all(self) -> None:
        for data in (self.replica_dir, self.primary_dir):
            if (data / "postmaster.pid").exists():
                with contextlib.suppress(Exception):
                    self.pg_ctl(data, "stop", "-m", "immediate")


def _config(port: int, sockets: Path) -> str:
    return (
        f"\nport = {port}\nlisten_addresses = '127.0.0.1'\n"
        f"unix_socket_directories = '{sockets}'\n"
        "shared_buffers = 32MB\nmax_connections = 60\nfsync = off\n"
        "full_page_writes = off\nwal_level = replica\nmax_wal_senders = 4\n"
        "hot_standby = on\nwal_receiver_status_interval = 1s\n"
    )


@contextlib.contextmanager
def primary_and_replica() -> Iterator[Cluster]:
    """A started primary and a started streaming replica of it (stopped and removed after)."""
    binaries = bin_dir()
    if binaries is None:
        raise RuntimeError("no PostgreSQL server binaries (set TALENTFLOW_PG_BIN)")
    root = Path(tempfile.mkdtemp(prefix="talentflow-replica-"))
    root.chmod(0o755)
    if os.geteuid() == 0:
        user = pwd.getpwnam(SERVER_USER)
        os.chown(root, user.pw_uid, user.pw_gid)
    cluster = Cluster(binaries, root, free_port(), free_port())
    try:
        cluster.run(
            "initdb", "-D", str(cluster.primary_dir), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        with (cluster.primary_dir / "postgresql.conf").open("a") as conf:
            conf.write(_config(cluster.primary_port, root))
        cluster.start_primary()
        cluster.run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(cluster.primary_port),
            "-U", "postgres", "-D", str(cluster.replica_dir), "-R", "-X", "stream",
            "--no-sync",
        )  # fmt: skip
        with (cluster.replica_dir / "postgresql.conf").open("a") as conf:
            conf.write(f"\nport = {cluster.replica_port}\n")
        cluster.start_replica()
        yield cluster
    finally:
        cluster.stop_all()
        time.sleep(0.2)
        shutil.rmtree(root, ignore_errors=True)
