"""A PostgreSQL server of a test's own, for tests that stop and start it: the shared one serves
the other test process (the suite runs in two) and must stay up."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.conftest import free_port


class PostgresServer:
    """A cluster made with initdb in a temporary folder, on a free port, trusting local
    connections (as the development services do). As root, its commands run as the postgres
    user, since PostgreSQL refuses to run as root."""

    def __init__(self) -> None:
        versions = sorted(
            os.listdir("/usr/lib/postgresql"), key=lambda v: [int(p) for p in v.split(".")]
        )
        self.bin = Path("/usr/lib/postgresql") / versions[-1] / "bin"
        self.folder = Path(tempfile.mkdtemp(prefix="tingshuo-postgres-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "tingshuo", "--auth=trust", "-E", "UTF8")
        self.admin_url = f"postgresql://tingshuo@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://tingshuo@127.0.0.1:{self.port}/{database}"

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        subprocess.run(
            [*self.as_user, str(self.bin / program), *args],
            check=check,
            capture_output=True,
            timeout=120,
        )

    def start(self) -> PostgresServer:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        log = str(self.folder / "postgres.log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")
        return self

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        """Stop it if it runs, and delete its folder."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)
