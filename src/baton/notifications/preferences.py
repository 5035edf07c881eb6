"""What a customer agreed to hear, and how: email updates unless they opted out; SMS only with recorded consent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Preferences:
    customer_id: str
    email: bool = True  # order updates by email; a customer may opt out
    sms_consent_at: datetime | None = None  # when the customer agreed to SMS; None: never text them
    sms_consent_by: str | None = None  # who recorded the consent: "customer" (portal) or the agent's name
    updated_at: datetime | None = None

    @property
    def sms(self) -> bool:
        return self.sms_consent_at is not None

    def changed(self, email: bool, sms: bool, by: str, now: datetime) -> Preferences:
        """Consent is recorded when given (who and when) and forgotten when withdrawn; giving it again
        records the new moment."""
        consent_at: datetime | None
        consent_by: str | None
        if sms and not self.sms:
            consent_at, consent_by = now, by
        elif sms:
            consent_at, consent_by = self.sms_consent_at, self.sms_consent_by
        else:
            consent_at, consent_by = None, None
        return Preferences(self.customer_id, email, consent_at, consent_by, now)

    def view(self) -> dict[str, Any]:
        return {"customer_id": self.customer_id, "email": self.email, "sms": self.sms,
                "sms_consent_at": self.sms_consent_at, "sms_consent_by": self.sms_consent_by,
                "updated_at": self.updated_at}

    def audit_view(self) -> dict[str, Any]:
        return {"email": self.email, "sms": self.sms,
                "sms_consent_at": self.sms_consent_at.isoformat() if self.sms_consent_at else None}
