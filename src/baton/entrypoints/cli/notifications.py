"""`baton notifications …` (issue 7)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Customer notifications: templates, messages.", no_args_is_help=True)
