"""The SMS sandbox (no BATON_SMS_URL): records in the `sms_sandbox` table what would have been texted, in its own
transaction, so the demo and tests can read it; nothing leaves the machine."""

from __future__ import annotations

from sqlalchemy import Engine

from baton.adapters.db.notification_repository import record_sandbox_text
from baton.notifications.message import Outcome
from baton.shared.clock import utcnow
from baton.shared.ids import new_id


class SandboxSmsSender:
    sandbox = True

    def __init__(self, engine: Engine):
        self.engine = engine

    def send(self, message_id: str, to: str, text: str) -> Outcome:
        with self.engine.begin() as conn:
            record_sandbox_text(conn, {"id": new_id("sbx"), "message_id": message_id, "to_number": to, "text": text,
                                       "at": utcnow()})
        return Outcome(True)
