"""`baton invoices show NUMBER_OR_ID [--pdf FILE]`: an invoice or credit memo as issued."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from baton.adapters.documents import pdf
from baton.bootstrap import bootstrap
from baton.entrypoints.cli.output import console, refused
from baton.invoicing import services

app = typer.Typer(help="Invoices and credit memos (issued for every capture and refund).", no_args_is_help=True)


@app.command("show")
def show(
    number_or_id: str = typer.Argument(..., help="A document number (INV-2026-000001, CN-2026-000001) or an id."),
    pdf_file: Path | None = typer.Option(None, "--pdf", help="Also write the PDF to this file.", dir_okay=False),
) -> None:
    """Print the document as JSON on standard output; with --pdf, write its PDF too."""
    with refused("Not found"):
        document = services.find(bootstrap().reader(), number_or_id)
    if pdf_file is not None:
        pdf_file.write_bytes(pdf.render(document))
        console.print(f"Wrote {document.kind.label.lower()} {document.number} to {pdf_file}.")
    print(json.dumps(document.view(), indent=2, ensure_ascii=False, default=_iso))


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")
