"""Who acts: a user, an API token, a shopper or the system. Entrypoints establish it; the unit of work
stamps it on the audit log, and services use its label on the timeline and its locations for scoping."""

from __future__ import annotations

import getpass
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Actor:
    kind: str  # "user" | "token" | "shopper" | "system"
    id: str
    name: str
    role: str | None = None  # None for shoppers and the system
    locations: frozenset[str] = frozenset()  # empty: every location
    source: str | None = None  # the client address the change came from
    request_id: str | None = None

    @property
    def label(self) -> str:
        """How the timeline names this actor."""
        if self.kind == "shopper":
            return "customer"
        return f"{self.name} ({self.role})" if self.role else self.name

    def reaches(self, location: str) -> bool:
        return not self.locations or location in self.locations

    def at(self, source: str | None, request_id: str | None) -> Actor:
        return replace(self, source=source, request_id=request_id)


SYSTEM = Actor("system", "system", "system")


def cli_actor() -> Actor:
    """Commands run on the server itself, by whoever is logged in there."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        user = "unknown"
    return Actor("system", f"cli:{user}", f"cli ({user})", source="local")
