"""The page-timing benchmark (`python -m bench.pages`), run tiny: a handful of demo orders, one request per page, on
SQLite and PostgreSQL, against a real `baton serve`. No timing is asserted; only that every page answered 200."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import PostgresServer, unavailable

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("server")]

ROOT = Path(__file__).resolve().parents[2]


def test_every_console_and_portal_page_answers_200_on_a_tiny_demo_shop(
        postgres_server: PostgresServer | None, tmp_path: Path) -> None:
    # Given a PostgreSQL server and a scratch report
    if postgres_server is None:
        unavailable("no PostgreSQL server for the page benchmark smoke run (set BATON_TEST_POSTGRES_URL)")
    assert postgres_server is not None
    report = tmp_path / "RESULTS.md"
    report.write_text("# Baton benchmark results\n\nAn earlier run.\n")
    command = [sys.executable, "-m", "bench.pages", "--orders", "12", "--requests", "1", "--postgres",
               "--report", str(report), "--pg-url", postgres_server.url.render_as_string(hide_password=False),
               "--database", f"baton_pages_smoke_{uuid.uuid4().hex[:8]}"]

    # When the tiny page benchmark runs
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)

    # Then every page answered 200 on both databases, and the report kept what was there before
    output = f"--- stdout ---\n{done.stdout[-6000:]}\n--- stderr ---\n{done.stderr[-6000:]}"
    assert done.returncode in (0, 1), output  # 1: a page was slow on a busy machine, which is not asserted here
    assert "answered" not in done.stderr, output
    text = report.read_text()
    assert text.startswith("# Baton benchmark results\n\nAn earlier run.")
    assert "## Console and portal pages on the demo shop" in text
    for database in ("#### SQLite", "#### PostgreSQL"):
        assert database in text, output
    pages = [line for line in text.splitlines()
             if line.startswith("| ") and line.count("|") == 8 and not line.startswith("| page |")]
    assert len(pages) > 2 * 40, output  # every page, on each database
    assert all(line.endswith("| 200 |") for line in pages), output
