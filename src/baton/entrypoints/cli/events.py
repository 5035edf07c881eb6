"""`baton events …` (issue 7)."""

from __future__ import annotations

import typer

app = typer.Typer(help="The event stream.", no_args_is_help=True)
