"""`baton notifications templates|show|edit|reset|messages|resend`: customer notifications from the shell."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from baton.bootstrap import bootstrap
from baton.entrypoints.cli.output import console, refused
from baton.notifications import services, templates
from baton.notifications.template import Template
from baton.shared.actor import cli_actor
from baton.shared.errors import InvalidInput

app = typer.Typer(help="Customer notifications: templates, an order's messages, resending.", no_args_is_help=True)
SEPARATOR = "--- {} ---"  # the file format of `show` and `edit`: three sections, subject / body / sms


@app.command("templates")
def list_templates() -> None:
    """Every moment × language, and whether an admin's version is in force."""
    table = Table("moment", "language", "customised", "subject")
    for row in templates.listed(bootstrap().reader()):
        table.add_row(row["moment"], row["language"], "yes" if row["customised"] else "", row["subject"])
    Console().print(table)


@app.command("show")
def show(moment: str = typer.Argument(..., help="e.g. shipped"),
         language: str = typer.Argument(..., help="en, fr, de, es or hi")) -> None:
    """Print a template in the file format `edit` reads."""
    with refused("Not found"):
        row = templates.one(bootstrap().reader(), moment, language)
    print("\n".join(f"{SEPARATOR.format(name)}\n{row[name]}" for name in ("subject", "body", "sms")))


@app.command("edit")
def edit(moment: str = typer.Argument(...), language: str = typer.Argument(...),
         file: Path = typer.Argument(..., exists=True, dir_okay=False, help="As printed by `show`.")) -> None:
    """Replace a template from a file (checked against a sample order first; nothing changes if it fails)."""
    with refused("Not saved"):
        template = _parse(file.read_text(encoding="utf-8"))
        actor = cli_actor()
        templates.save(bootstrap().uow(actor=actor), actor, moment, language, template)
    console.print(f"Saved the {moment} template in {language}.")


@app.command("reset")
def reset(moment: str = typer.Argument(...), language: str = typer.Argument(...)) -> None:
    """Restore the built-in template."""
    with refused("Not reset"):
        templates.reset(bootstrap().uow(actor=cli_actor()), moment, language)
    console.print(f"The {moment} template in {language} is the built-in one again.")


@app.command("messages")
def messages(order: str = typer.Argument(..., help="The order's number or id.")) -> None:
    """An order's messages, oldest first."""
    container = bootstrap()
    with refused("Not found"):
        rows = services.order_messages(container.reader(), services.order_id_of(container.reader(), order))
    table = Table("id", "moment", "channel", "to", "language", "status", "tries", "note / error")
    table.columns[0].no_wrap = True  # the id is what `resend` takes: never broken over two lines
    for row in rows:
        table.add_row(row["id"], row["moment"], row["channel"], row["recipient"], row["language"], row["status"],
                      str(row["attempts"]), row["note"] or row["last_error"] or "")
    Console().print(table)


@app.command("resend")
def resend(order: str = typer.Argument(..., help="The order's number or id."),
           message_id: str = typer.Argument(..., help="From `baton notifications messages`.")) -> None:
    """Queue a message again; the worker sends it."""
    container = bootstrap()
    with refused("Not resent"):
        copy = services.resend(container.uow(actor=cli_actor()), services.order_id_of(container.reader(), order),
                               message_id)
    console.print(f"Queued {copy['id']} again to {copy['recipient']}.")


def _parse(text: str) -> Template:
    parts: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        name = next((n for n in ("subject", "body", "sms") if line.strip() == SEPARATOR.format(n)), None)
        if name is not None:
            current = parts.setdefault(name, [])
        elif current is not None:
            current.append(line)
    missing = [n for n in ("subject", "body", "sms") if n not in parts]
    if missing:
        raise InvalidInput(missing[0], f"the file has no '{SEPARATOR.format(missing[0])}' section.")
    return Template(*("\n".join(parts[n]).strip() for n in ("subject", "body", "sms")))
