"""`baton users create|list|sign-out-everywhere`: the staff who sign in to the console."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.table import Table

from baton.bootstrap import bootstrap
from baton.entrypoints.cli.output import console, refused
from baton.identity import console as users
from baton.shared.actor import cli_actor
from baton.shared.clock import utcnow

app = typer.Typer(help="Console users: create, list, set a password, sign out everywhere.", no_args_is_help=True)


@app.command("create")
def create(
    email: str = typer.Option(..., help="The address the user signs in with."),
    name: str = typer.Option(..., help="How the console and the timeline name the user."),
    role: str = typer.Option(..., help="admin, agent, fulfillment, finance or analyst (integration is API only)."),
    location: list[str] = typer.Option([], help="A location the user works for (repeat; required for "
                                                 "fulfillment)."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from the first line "
                                                                        "of standard input instead of prompting."),
) -> None:
    """Create a console user. The password (12 characters or more) is asked twice, or read from stdin; it is
    stored as an argon2id hash only."""
    password = _password(password_stdin)
    with refused("Not created"):
        user = users.create_user(bootstrap().uow(actor=cli_actor()), email, name, role, password, location)
    console.print(f"Created {user.role} {user.email} ({user.id}); sign in at /console/sign-in.")


@app.command("list")
def list_users() -> None:
    """Every console user with role, locations and state (never a password)."""
    now = utcnow()
    table = Table("id", "email", "name", "role", "locations", "created", "state")
    for user in users.list_users(bootstrap().reader()):
        state = "active" if user.active else "inactive"
        if user.locked_until and user.locked(now):
            state = f"locked until {user.locked_until:%Y-%m-%d %H:%M} UTC"
        table.add_row(user.id, user.email, user.name, user.role, ", ".join(user.locations) or "all",
                      f"{user.created_at:%Y-%m-%d}", state)
    Console().print(table)


@app.command("set-password")
def set_password(
    who: str = typer.Argument(..., help="The user's email (or id)."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from the first line "
                                                                        "of standard input instead of prompting."),
) -> None:
    """Give a user a new password; it lifts a lock-out and ends every session of the user."""
    password = _password(password_stdin)
    with refused("Not changed"):
        user = users.set_password(bootstrap().uow(actor=cli_actor()), who, password)
    console.print(f"New password set for {user.email}; their sessions were ended.")


@app.command("sign-out-everywhere")
def sign_out_everywhere(who: str = typer.Argument(..., help="The user's email (or id).")) -> None:
    """End every console session of a user at once, in every browser."""
    with refused("Not signed out"):
        revoked = users.sign_out_everywhere(bootstrap().uow(actor=cli_actor()), who)
    console.print(f"Signed {who} out of {revoked} session{'s' if revoked != 1 else ''}.")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
