"""What every command shares: messages go to standard error (standard output is for data, like a token)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from baton.shared.errors import BatonError

console = Console(stderr=True, soft_wrap=True)  # messages stay one line each, whatever the terminal width


@contextmanager
def refused(what: str, exit_code: int = 2) -> Iterator[None]:
    """A refusal from the domain ends the command with its reason, e.g. 'Not created: role: must be one of …'."""
    try:
        yield
    except BatonError as error:
        console.print(f"[red]{what}:[/red] {error.detail}")
        raise typer.Exit(exit_code) from None
