"""Notification templates, preferences and messages (issue 7)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", include_in_schema=False)
