"""`baton serve`, `baton seed` and `baton demo`."""

from __future__ import annotations

import typer
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from baton.adapters.db import migrate
from baton.bootstrap import bootstrap
from baton.config import Settings
from baton.entrypoints.cli import workers as reuse_port
from baton.entrypoints.cli.worker import embedded

console = Console(stderr=True)


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="TCP port."),
    workers: int = typer.Option(1, min=1, help="Worker processes (use PostgreSQL for more than one)."),
    worker: bool = typer.Option(True, "--worker/--no-worker",
                                help="Run one outbox worker (webhooks, notifications, the event stream) in this "
                                     "process; --no-worker where `baton worker` runs separately."),
) -> None:
    """Serve the API (and docs at /docs), with one outbox worker in-process unless --no-worker."""
    settings = Settings.from_env()
    refuse_unsafe(settings)
    if migrate.pending(settings.database_url):
        console.print("[red]The database schema is not up to date.[/red] Run [bold]baton db upgrade[/bold] first.")
        raise typer.Exit(2)
    if workers > 1 and settings.database_url.startswith("sqlite"):
        console.print("[yellow]Several workers on SQLite share one writer; PostgreSQL scales better.[/yellow]")
    with embedded(settings, enabled=worker):  # in this process only: the parent when there are several
        if workers > 1 and reuse_port.supported():
            reuse_port.run(host, port, workers)
        else:
            uvicorn.run(reuse_port.APP, factory=True, host=host, port=port, workers=workers, log_level="info",
                        access_log=False)


def refuse_unsafe(settings: Settings) -> None:
    """A production start with default secrets is refused before anything listens."""
    problems = settings.production_problems()
    if problems:
        console.print("[red]Refusing to start in production (BATON_ENV=production):[/red]")
        for problem in problems:
            console.print(f"  - {problem}")
        raise typer.Exit(2)


def seed(
    orders: int = typer.Option(2000, min=0, help="How many orders to create."),
    random_seed: int = typer.Option(7, help="The same seed gives the same shop."),
) -> None:
    """Load the demo shop: locations, products, stock and a history of orders (same data every time)."""
    from baton.demo.seed import seed_demo
    from baton.shared.errors import BatonError

    container = bootstrap()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done)

        try:
            report = seed_demo(container, orders=orders, random_seed=random_seed, progress=progress)
        except BatonError as error:
            bar.stop()
            console.print(f"[red]Not seeded:[/red] {error.detail}")
            raise typer.Exit(1) from None
    console.print(f"[green]Seeded[/green] {report}")


def demo(
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8000),
    orders: int = typer.Option(2000, min=0, help="Orders to create when the database is empty."),
) -> None:
    """Migrate, load the demo shop when the database is empty, and serve it."""
    from baton.demo.seed import is_seeded
    from baton.identity.demo_access import ensure_demo_admin, fresh_demo_token

    settings = Settings.from_env()
    migrate.upgrade(settings.database_url)
    container = bootstrap(settings)
    if is_seeded(container):
        console.print("Demo data already loaded; starting the server.")
    else:
        seed(orders=orders, random_seed=7)
    email, password = ensure_demo_admin(container)
    secret = fresh_demo_token(container)
    container.engine.dispose()
    base = f"http://{host}:{port}"
    console.print(
        f"\n[bold green]Baton is running[/bold green] on {base}\n"
        f"  Console       {base}/console/  sign in as {email} / {password}\n"
        f"  API docs      {base}/docs  (Authorize: the admin token below)\n"
        f"  Admin token   {secret}\n"
        f"  Try           curl -H 'Authorization: Bearer {secret}' '{base}/api/v1/orders?limit=5'\n"
        f"  Tracking      {base}/api/v1/track/<tracking_id>  (public)\n"
        f"  Health        {base}/healthz\n"
        f"  Database      {settings.database_url}\n"
        "The password and token are new on every `make demo`; earlier ones stop working.\n"
        "Press Ctrl+C to stop.\n",
        soft_wrap=True,  # a token split over two lines cannot be copied
    )
    serve(host=host, port=port, workers=1, worker=True)
