"""Senders of customer messages: SMTP for email, an HTTP provider or the sandbox for SMS."""

from __future__ import annotations

from sqlalchemy import Engine

from baton.adapters.notify.sms_http import HttpSmsSender
from baton.adapters.notify.sms_sandbox import SandboxSmsSender
from baton.adapters.notify.smtp import SmtpSender
from baton.config import Settings
from baton.notifications.ports import EmailSender, Senders, SmsSender


def senders(settings: Settings, engine: Engine) -> Senders:
    """What the settings configure: no BATON_SMTP_HOST, no email sender (mail waits, visible); no BATON_SMS_URL,
    the sandbox."""
    email: EmailSender | None = None
    if settings.smtp_host:
        email = SmtpSender(settings.smtp_host, settings.smtp_port, settings.mail_from, starttls=settings.smtp_starttls,
                           username=settings.smtp_username, password=settings.smtp_password)
    sms: SmsSender = (HttpSmsSender(settings.sms_url, settings.sms_token) if settings.sms_url
                      else SandboxSmsSender(engine))
    return Senders(email, sms)
