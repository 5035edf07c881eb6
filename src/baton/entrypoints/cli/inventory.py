"""`baton inventory import FILE.csv`: counts in bulk, all or nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from baton.bootstrap import bootstrap
from baton.entrypoints.cli.output import refused
from baton.inventory import queries
from baton.inventory.services import ImportRow, import_counts, repair_reservations, set_reorder_point
from baton.shared.actor import cli_actor

app = typer.Typer(help="Stock levels.", no_args_is_help=True)
console = Console(stderr=True)
REQUIRED = ("location", "sku", "on_hand")


@app.command("import")
def import_file(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                help="CSV with columns location, sku, on_hand and optionally safety_stock."),
    reason: str = typer.Option("import", help="Reason written to the inventory ledger."),
    actor: str = typer.Option("cli", help="Who is importing, for the ledger."),
) -> None:
    """Set counted quantities from a CSV file. Any bad row and nothing is imported."""
    rows, problems = read_rows(file)
    if problems and problems[0].startswith("header"):
        errors = problems
    else:
        with Progress(TextColumn("Importing"), BarColumn(), MofNCompleteColumn(), console=console) as bar:
            task = bar.add_task("import", total=len(rows))
            report = import_counts(bootstrap().uow(actor=cli_actor()), rows, actor, reason,
                                   progress=lambda done: bar.update(task, completed=done), problems=problems)
        errors = report.errors
    if errors:
        console.print(f"[red]Nothing imported:[/red] {len(errors)} problem(s) in {file}:")
        for error in errors[:50]:
            console.print(f"  {error}")
        if len(errors) > 50:
            console.print(f"  … and {len(errors) - 50} more")
        raise typer.Exit(1)
    console.print(f"[green]Imported[/green] {report.rows} row(s); {report.changed} stock level(s) changed.")


def read_rows(file: Path) -> tuple[list[ImportRow], list[str]]:
    """Parse the file; every problem is reported with its line number."""
    rows: list[ImportRow] = []
    errors: list[str] = []
    with file.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [name for name in REQUIRED if name not in (reader.fieldnames or [])]
        if missing:
            return [], [f"header: missing column(s) {', '.join(missing)} (need {', '.join(REQUIRED)})"]
        for record in reader:
            line = reader.line_num
            try:
                on_hand = int(record["on_hand"])
                safety = record.get("safety_stock")
                rows.append(ImportRow(line, (record["location"] or "").strip(), (record["sku"] or "").strip(),
                                      on_hand, int(safety) if safety not in (None, "") else None))
            except (TypeError, ValueError):
                errors.append(f"line {line}: on_hand and safety_stock must be whole numbers")
    return rows, errors


@app.command("reorder-point")
def reorder_point(
    location: str = typer.Argument(..., help="Location code."),
    sku: str = typer.Argument(..., help="SKU."),
    units: int | None = typer.Argument(None, min=0, help="Announce inventory.low_stock when available falls to "
                                       "this; leave out with --clear."),
    clear: bool = typer.Option(False, "--clear", help="Remove the reorder point: no low-stock signal."),
) -> None:
    """Set the reorder point of a stock level (location, SKU)."""
    if (units is None) == (not clear):
        console.print("[red]Give a number of units, or --clear (not both).[/red]")
        raise typer.Exit(2)
    with refused("Not set"):
        level = set_reorder_point(bootstrap().uow(actor=cli_actor()), location, sku, None if clear else units)
    shown = "none" if level.reorder_point is None else level.reorder_point
    console.print(f"{location}/{sku}: reorder point {shown}, available {level.available}.")


@app.command()
def check(repair: bool = typer.Option(False, help="Reset drifted reserved counters to what is really held.")) -> None:
    """Check every stock level: on_hand equals its ledger, reserved equals what open fulfilment orders hold."""
    container = bootstrap()
    with container.engine.connect() as conn:
        ledger = queries.ledger_mismatches(conn)
        reserved = queries.reservation_mismatches(conn)
    for row in ledger:
        where = f"{row['location']}/{row['sku']}"
        console.print(f"[red]ledger[/red] {where}: on_hand {row['on_hand']}, ledger {row['ledger']}")
    for row in reserved:
        where = f"{row['location']}/{row['sku']}"
        console.print(f"[red]reserved[/red] {where}: counter {row['reserved']}, held {row['held']}")
    if reserved and repair:
        repaired = repair_reservations(container.uow(actor=cli_actor()), reserved)
        console.print(f"Repaired {repaired} reserved counter(s).")
        reserved = []
    if ledger or reserved:
        raise typer.Exit(1)
    console.print("[green]Every stock level matches its ledger and its reservations.[/green]")
