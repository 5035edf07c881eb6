"""Secrets Baton generates for itself in development, kept in the database so every process agrees."""

from __future__ import annotations

import secrets

from sqlalchemy import Engine, select

from baton.adapters.db import tables as t
from baton.adapters.db.engine import WRITE
from baton.adapters.db.sql import insert_ignore_conn
from baton.shared.clock import utcnow


def generated_secret(engine: Engine, name: str) -> str:
    """The secret called `name`, created on first use; concurrent first uses agree on one value."""
    with engine.connect() as conn:
        value = conn.execute(select(t.app_secrets.c.value).where(t.app_secrets.c.name == name)).scalar()
    if value is not None:
        return str(value)
    with engine.execution_options(**WRITE).begin() as conn:
        insert_ignore_conn(conn, t.app_secrets, {"name": name, "value": secrets.token_urlsafe(48),
                                                 "created_at": utcnow()})
        return str(conn.execute(select(t.app_secrets.c.value).where(t.app_secrets.c.name == name)).scalar_one())
