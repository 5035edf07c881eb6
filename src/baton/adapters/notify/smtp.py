"""Email through an SMTP server (smtplib): one connection per message, STARTTLS unless turned off, login when a
username is set. A 5xx answer is permanent (the address is refused); anything else is tried again later."""

from __future__ import annotations

import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from baton.notifications.message import Outcome
from baton.notifications.ports import Email

TIMEOUT = 15.0  # seconds: a stuck server must not stall the worker
EXCERPT = 300


class SmtpSender:
    def __init__(self, host: str, port: int, sender: str, *, starttls: bool = True, username: str | None = None,
                 password: str | None = None, timeout: float = TIMEOUT):
        self.host, self.port, self.sender = host, port, sender
        self.starttls, self.username, self.password, self.timeout = starttls, username, password, timeout

    def send(self, email: Email) -> Outcome:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(self.message(email))
        except smtplib.SMTPRecipientsRefused as refused:
            code, answer = next(iter(refused.recipients.values()))
            return Outcome(False, _why(code, answer), permanent=500 <= code < 600)
        except smtplib.SMTPResponseException as failed:
            return Outcome(False, _why(failed.smtp_code, failed.smtp_error), permanent=500 <= failed.smtp_code < 600)
        except (OSError, smtplib.SMTPException) as failed:
            return Outcome(False, f"{type(failed).__name__}: {failed}"[:EXCERPT] or type(failed).__name__)
        return Outcome(True)

    def message(self, email: Email) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = email.to
        message["Subject"] = email.subject
        message["Date"] = formatdate(usegmt=True)
        domain = parseaddr(self.sender)[1].rpartition("@")[2] or "localhost"
        message["Message-ID"] = make_msgid(idstring=email.id, domain=Address(addr_spec=f"x@{domain}").domain)
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: auto-responders do not answer
        message["X-Baton-Message-Id"] = email.id
        message.set_content(email.body)  # text/plain; charset utf-8 (clears Content-* headers: set those after)
        if email.language:
            message["Content-Language"] = email.language
        return message


def _why(code: int, answer: bytes | str) -> str:
    text = answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)
    return f"SMTP {code} {text}"[:EXCERPT]
