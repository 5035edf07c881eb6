"""Settings from BATON_* environment variables. Nothing connects at import."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _default_database_url() -> str:
    return f"sqlite:///{Path('baton.db').resolve()}"


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=_default_database_url)
    routing_strategy: str = "default"
    db_pool_size: int = 10
    echo_sql: bool = False

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        return cls(
            database_url=env.get("BATON_DATABASE_URL") or _default_database_url(),
            routing_strategy=env.get("BATON_ROUTING_STRATEGY", "default"),
            db_pool_size=int(env.get("BATON_DB_POOL_SIZE", "10")),
            echo_sql=env.get("BATON_ECHO_SQL", "") in ("1", "true", "yes"),
        )
