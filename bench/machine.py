"""What the figures were measured on: cores, memory, CPU model and the versions that matter."""

from __future__ import annotations

import os
import platform
import shutil
import sqlite3
import subprocess
import sys
from importlib import metadata
from pathlib import Path

PACKAGES = ("uvicorn", "fastapi", "starlette", "pydantic", "sqlalchemy", "psycopg", "aiohttp", "uvloop", "httptools")


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def cpu_model() -> str:
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def memory_gib() -> float | None:
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return None


def pgbench_path() -> str | None:
    found = shutil.which("pgbench")
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"))
    return str(candidates[-1]) if candidates else None


def pgbench_version() -> str | None:
    path = pgbench_path()
    if path is None:
        return None
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return out.strip() or None


def describe(postgres_version: str | None) -> dict[str, str]:
    """Flat name -> value pairs for the report's machine table."""
    memory = memory_gib()
    info = {
        "cores (os.cpu_count)": str(os.cpu_count()),
        "memory": f"{memory:.1f} GiB" if memory else "unknown",
        "CPU": cpu_model(),
        "OS": f"{platform.system()} {platform.release()}",
        "Python": sys.version.split()[0],
        "PostgreSQL": postgres_version or "not reachable",
        "pgbench": pgbench_version() or "not installed",
        "SQLite": sqlite3.sqlite_version,
    }
    for package in PACKAGES:
        try:
            info[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            info[package] = "not installed"
    return info


def cpu_times() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine from /proc/stat; (0, 0) where there is none."""
    first = _read("/proc/stat").splitlines()[:1]
    if not first:
        return 0.0, 0.0
    values = [float(v) for v in first[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0.0)  # idle + iowait
    total = sum(values[:8])
    return total - idle, total


def busy_share(before: tuple[float, float], after: tuple[float, float]) -> float | None:
    """Share of all cores that were busy between two cpu_times() samples (0..1)."""
    total = after[1] - before[1]
    if total <= 0:
        return None
    return (after[0] - before[0]) / total
