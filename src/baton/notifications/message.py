"""A customer message: its channel and status, when a failed one is tried again, and the sentence an agent reads
on the order's timeline."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from baton.notifications.moments import TITLES, Moment
from baton.notifications.template import LANGUAGES


class Channel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"


class MessageStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for the worker (or for a sender to be configured)
    SENT = "sent"  # handed to the SMTP server or SMS provider (or recorded by the SMS sandbox)
    FAILED = "failed"  # refused for good, or still failing after the last try
    SKIPPED = "skipped"  # not sent on purpose: the customer opted out


# Waits after the 1st, 2nd, … failed try; after the last one the message is failed for good.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=6))
MAX_ATTEMPTS = len(BACKOFF) + 1


@dataclass(frozen=True)
class Outcome:
    """What a sender answered. `permanent`: trying again cannot help (recipient refused, bad request)."""

    sent: bool
    error: str | None = None
    permanent: bool = False


@dataclass(frozen=True)
class Message:
    """A queued message as the worker claims it."""

    id: str
    order_id: str
    moment: Moment
    channel: Channel
    language: str
    recipient: str
    subject: str | None
    body: str
    attempts: int
    resend_of: str | None = None


def after_failure(attempts: int, outcome: Outcome, now: datetime) -> tuple[MessageStatus, datetime]:
    """Status and next try after the `attempts`-th try failed."""
    if outcome.permanent or attempts >= MAX_ATTEMPTS:
        return MessageStatus.FAILED, now
    return MessageStatus.QUEUED, now + BACKOFF[attempts - 1]


def masked(channel: Channel, recipient: str) -> str:
    """Enough of an address for an agent to recognise it, not enough to copy it: j•••@example.com, •••5678."""
    if channel is Channel.EMAIL:
        local, _, domain = recipient.partition("@")
        return f"{local[:1]}•••@{domain}"
    digits = "".join(ch for ch in recipient if ch.isdigit())
    return f"•••{digits[-4:]}"


def sentence(message: Message, outcome: Outcome | None) -> str:
    """"Shipping confirmation emailed to j•••@example.com in German." — or why it could not be."""
    title = TITLES[message.moment]
    verb = "emailed" if message.channel is Channel.EMAIL else "texted"
    to = masked(message.channel, message.recipient)
    again = " again" if message.resend_of else ""
    if outcome is None or outcome.sent:
        return f"{title} {verb}{again} to {to} in {LANGUAGES.get(message.language, message.language)}."
    return f"{title} could not be {verb} to {to}: {(outcome.error or 'no reason given').rstrip('.')}."


def skipped_sentence(moment: Moment, channel: Channel, why: str) -> str:
    verb = "emailed" if channel is Channel.EMAIL else "texted"
    return f"{TITLES[moment]} not {verb}: {why}."
