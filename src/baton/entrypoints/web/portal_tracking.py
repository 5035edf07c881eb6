"""The public tracking page /track/{tracking_id} (issue 8)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="", include_in_schema=False)
