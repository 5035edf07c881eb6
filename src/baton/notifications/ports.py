"""The senders notifications need: email (SMTP in production) and SMS (an HTTP provider, or the sandbox)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from baton.notifications.message import Outcome


@dataclass(frozen=True)
class Email:
    id: str  # the message's id, in the X-Baton-Message-Id header (a reply or bounce can be traced)
    to: str
    subject: str
    body: str  # plain text, UTF-8
    language: str | None = None  # Content-Language


class EmailSender(Protocol):
    def send(self, email: Email) -> Outcome: ...


class SmsSender(Protocol):
    sandbox: bool  # True: recorded, not sent (the timeline says so)

    def send(self, message_id: str, to: str, text: str) -> Outcome: ...


@dataclass(frozen=True)
class Senders:
    email: EmailSender | None  # None: no SMTP server configured; email stays queued
    sms: SmsSender
