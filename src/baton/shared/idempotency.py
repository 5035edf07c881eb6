"""An Idempotency-Key as the unit of work sees it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Idempotent:
    """The key, where it was used (method and route), and a fingerprint of the request it came with."""

    scope: str
    key: str
    fingerprint: str
    resource_id: str | None = None  # the id the request will create, known up front: stored with the claim


def fingerprint(*parts: Any) -> str:
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
