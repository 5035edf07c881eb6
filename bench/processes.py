"""The processes a benchmark run starts: `baton serve`, the ceiling server, the load generator; and the databases.

Every server runs in a session of its own with its output in a log file (never a pipe that could fill up), is
ready when its health route answers (polled, bounded), and is always stopped: terminate, wait, then kill what is
left of its own process group.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from types import TracebackType
from typing import Any

import psycopg
from sqlalchemy.engine import URL, make_url

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def baton_command() -> list[str]:
    script = Path(sys.executable).parent / "baton"
    return [str(script)] if script.exists() else [sys.executable, "-m", "baton.entrypoints.cli.main"]


def python_env(**extra: str) -> dict[str, str]:
    """The environment for child processes: this repository importable (bench.*), unbuffered output."""
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{path}" if path else str(ROOT), "PYTHONUNBUFFERED": "1",
            **extra}



def reap(process: subprocess.Popen, grace: float) -> None:
    """Terminate (graceful shutdown), wait, then kill what is left of the process's own group: uvicorn
    workers that outlived their manager. The process must have been started with start_new_session=True."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)

class ServerFailed(RuntimeError):
    pass


class Server:
    """A child process serving HTTP on 127.0.0.1:port, ready when `ready_path` answers 200."""

    def __init__(self, command: list[str], port: int, log_path: Path, *, env: dict[str, str] | None = None,
                 ready_path: str = "/healthz", ready_within: float = 60.0):
        self.command = command
        self.port = port
        self.log_path = log_path
        self.env = env or python_env()
        self.ready_path = ready_path
        self.ready_within = ready_within
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:  # this server's output only, never an earlier run's
            log.write(f"$ {' '.join(self.command)}\n".encode())
            log.flush()
            self.process = subprocess.Popen(self.command, env=self.env, stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT)
        deadline = time.monotonic() + self.ready_within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.base_url + self.ready_path, timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        output = self.output()
        self.stop()
        raise ServerFailed(f"{' '.join(self.command)} did not become ready on {self.base_url}.\n{output[-4000:]}")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            reap(process, grace=20)

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def error_summary(self) -> list[str]:
        """Distinct errors of the server log with their counts: exceptions, and the routes they broke."""
        counts: Counter[str] = Counter()
        for line in self.output().splitlines():
            if line.startswith("unhandled error on "):
                method, _, path = line.removeprefix("unhandled error on ").partition(" ")
                counts[f"unhandled error on {method} {route(path)}"] += 1
            elif EXCEPTION_LINE.match(line):
                counts[line[:300]] += 1
        return [f"{n} × {text}" for text, n in counts.most_common(20)]


    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def baton_server(database_url: str, workers: int, pool_size: int, log_path: Path) -> Server:
    port = free_port()
    command = [*baton_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    env = python_env(BATON_DATABASE_URL=database_url, BATON_DB_POOL_SIZE=str(pool_size),
                     BATON_EVENTS_FILE=str(log_path.parent / "events.jsonl"))  # the embedded worker's stream
    return Server(command, port, log_path, env=env)


def ceiling_server(log_path: Path) -> Server:
    port = free_port()
    return Server([sys.executable, "-m", "bench.ceiling", "--port", str(port)], port, log_path, ready_path="/ping")


def baton_db_upgrade(database_url: str, log_path: Path) -> None:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        done = subprocess.run([*baton_command(), "db", "upgrade"], env=python_env(BATON_DATABASE_URL=database_url),
                              stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=300, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"`baton db upgrade` failed ({done.returncode}); see {log_path}")


def baton_token(database_url: str, log_path: Path, role: str = "integration", name: str = "bench") -> str:
    """A bearer token from `baton tokens create`, which prints it alone on standard output."""
    with log_path.open("ab") as log:
        done = subprocess.run([*baton_command(), "tokens", "create", "--role", role, "--name", name],
                              env=python_env(BATON_DATABASE_URL=database_url), stdout=subprocess.PIPE, stderr=log,
                              stdin=subprocess.DEVNULL, timeout=120, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"`baton tokens create` failed ({done.returncode}); see {log_path}")
    return done.stdout.decode().strip()


def run_loadgen(plan_path: Path, result_path: Path, log_path: Path, timeout: float) -> None:
    """The load generator in a process of its own, so it never shares an interpreter with anything measured."""
    with log_path.open("ab") as log:
        done = subprocess.run([sys.executable, "-m", "bench.loadgen", str(plan_path), str(result_path)],
                              env=python_env(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                              timeout=timeout, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"the load generator failed ({done.returncode}); see {log_path}")


# -- PostgreSQL ----------------------------------------------------------------------------------------------------
class Postgres:
    """The PostgreSQL server the run uses: the admin URL (any database) and the benchmark database on it."""

    def __init__(self, server_url: str, database: str):
        self.server = make_url(server_url)
        self.database = database

    @property
    def url(self) -> URL:
        return self.server.set(database=self.database)

    @property
    def sqlalchemy_url(self) -> str:
        return self.url.render_as_string(hide_password=False)

    def conninfo(self, database: str | None = None) -> str:
        """A libpq URL for psycopg."""
        url = self.server.set(drivername="postgresql", database=database or self.database)
        return url.render_as_string(hide_password=False)

    def libpq_env(self) -> dict[str, str]:
        """PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE for pgbench."""
        url = self.url
        env = {"PGHOST": url.host or "127.0.0.1", "PGPORT": str(url.port or 5432),
               "PGUSER": url.username or "postgres", "PGDATABASE": self.database}
        if url.password:
            env["PGPASSWORD"] = str(url.password)
        return env

    def admin(self) -> psycopg.Connection[tuple[Any, ...]]:
        return psycopg.connect(self.conninfo(self.server.database or "postgres"), autocommit=True,
                               connect_timeout=5)

    def admin_of_bench(self) -> psycopg.Connection[tuple[Any, ...]]:
        """An autocommit connection to the benchmark database itself."""
        return psycopg.connect(self.conninfo(), autocommit=True, connect_timeout=5)

    def version(self) -> str | None:
        try:
            with self.admin() as conn:
                return str(scalar(conn, "SHOW server_version"))
        except Exception:
            return None

    def recreate(self) -> None:
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.database}"')

    def drop(self) -> None:
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


def first_row(conn: psycopg.Connection[tuple[Any, ...]], sql: str) -> tuple[Any, ...]:
    """The first row a query answers (it must answer one)."""
    row = conn.execute(sql.encode()).fetchone()
    assert row is not None, sql
    return row


def scalar(conn: psycopg.Connection[tuple[Any, ...]], sql: str) -> Any:
    return first_row(conn, sql)[0]


EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Timeout|Exit)\w*: ")


def route(path: str) -> str:
    """/api/v1/track/abc… -> /api/v1/track/{…}: ids vary, routes do not."""
    parts = path.split("?")[0].split("/")

    def is_id(part: str) -> bool:  # opaque ids and tracking tokens, not words like "fulfillment-orders"
        return "_" in part or (len(part) >= 12 and not (part.islower() and part.replace("-", "").isalpha()))

    return "/".join("{…}" if is_id(part) else part for part in parts)
