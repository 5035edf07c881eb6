"""The benchmark harness, run tiny: every step end to end (real `baton serve` on PostgreSQL and SQLite, the load
generator, the checks, the scale load, pgbench where installed) in seconds. No figure is asserted; only that it ran
and that every correctness check passed."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import PostgresServer, unavailable

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("server")]

ROOT = Path(__file__).resolve().parents[2]


def test_the_tiny_benchmark_runs_end_to_end_and_every_correctness_check_passes(
        postgres_server: PostgresServer | None, tmp_path: Path) -> None:
    # Given a PostgreSQL server and a scratch directory for the report and the logs
    if postgres_server is None:
        unavailable("no PostgreSQL server for the benchmark smoke run (set BATON_TEST_POSTGRES_URL)")
    assert postgres_server is not None
    report, work = tmp_path / "RESULTS.md", tmp_path / "out"
    command = [sys.executable, "-m", "bench.run", "--tiny", "--report", str(report), "--work-dir", str(work),
               "--pg-url", postgres_server.url.render_as_string(hide_password=False),
               "--database", f"baton_bench_smoke_{uuid.uuid4().hex[:8]}"]

    # When the tiny benchmark runs
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)

    # Then it ran every step and every correctness check passed
    output = f"--- stdout ---\n{done.stdout[-6000:]}\n--- stderr ---\n{done.stderr[-6000:]}"
    assert done.returncode == 0, output
    results = json.loads((work / "results.json").read_text())
    assert results["errors"] == [], output
    assert results["checks"], output
    failed = [check for check in results["checks"] if not check["passed"]]
    assert failed == [], output
    for step in ("ceiling", "pg_mixed", "pg_orders", "pg_reads", "scale", "floor", "sqlite"):
        assert results.get(step), f"step {step} left no results\n{output}"
    if "skipped" in results["floor"]:  # pgbench comes with the PostgreSQL client; a bare machine may lack it
        assert "pgbench" in results["floor"]["skipped"]
    else:
        assert all("tps" in level for level in results["floor"]["levels"]), output
    text = report.read_text()
    assert "## Where the time goes" in text and "### Correctness checks" in text and "**FAIL**" not in text
