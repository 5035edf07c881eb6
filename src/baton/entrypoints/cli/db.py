"""`baton db …`: migrations."""

from __future__ import annotations

import typer
from rich.console import Console

from baton.adapters.db import migrate
from baton.config import Settings

app = typer.Typer(help="Database schema.", no_args_is_help=True)
console = Console(stderr=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    url = Settings.from_env().database_url
    migrate.upgrade(url, revision)
    console.print(f"[green]Database at {revision}[/green]: {_safe(url)}")


@app.command()
def downgrade(revision: str = typer.Argument(..., help="Target revision, e.g. -1 or base.")) -> None:
    """Undo migrations down to REVISION."""
    url = Settings.from_env().database_url
    migrate.downgrade(url, revision)
    console.print(f"Database at {revision}: {_safe(url)}")


@app.command()
def current() -> None:
    """Show the revision the database is at."""
    migrate.current(Settings.from_env().database_url)


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
