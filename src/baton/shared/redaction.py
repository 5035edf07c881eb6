"""Secrets never reach the logs: bearer tokens, Authorization headers, signed shopper links and the values of
query parameters that carry credentials are replaced by `[redacted]` in every log record.

A filter on a logger only sees the records logged on that very logger, not those its children propagate, so
`install_redaction` also wraps the log record factory: every record of every logger (uvicorn's access log,
httpx, SQLAlchemy, ours) is redacted once, when it is made, before any handler formats it."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

REDACTED = "[redacted]"
SECRET_PARAMETERS = ("access", "token", "code", "secret", "password", "access_token", "refresh_token", "api_key",
                     "apikey", "key", "signature", "session")
_NAMES = "|".join(SECRET_PARAMETERS)
_HEADERS = r"(?:proxy-)?authorization|cookie|set-cookie|x-api-key"
_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str] | str]] = [
    # Authorization and cookie headers in any rendering: "Authorization: Bearer x", {'authorization': 'Basic x'},
    # (b'authorization', b'Bearer x'); the scheme stays readable, the credentials go
    (re.compile(rf"""(?i)(\b(?:{_HEADERS})['"]?\s*[:=,]\s*(?-i:b['"]|['"])?\s*)(?:(bearer|basic|token|digest)\s+)?"""
                r"""[^\s'",;)}\]]+(?:;\s*[^\s'",;)}\]]+)*"""),
     lambda m: f"{m[1]}{m[2] + ' ' if m[2] else ''}{REDACTED}"),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+"), rf"\1{REDACTED}"),
    # Baton API tokens wherever they appear
    (re.compile(r"(?<![A-Za-z0-9])bt_[A-Za-z0-9_-]{8,}"), f"bt_{REDACTED}"),
    # ?access=…&token=… and "password=…" in query strings and messages, whatever the value looks like
    (re.compile(rf"(?i)(?<![A-Za-z0-9_-])((?:{_NAMES})=)[^&\s#'\";,]*"), rf"\1{REDACTED}"),
    # "password": "…" in JSON or a dict's repr
    (re.compile(rf"""(?i)(['"](?:{_NAMES})['"]\s*:\s*(?-i:b)?['"])[^'"]*"""), rf"\1{REDACTED}"),
    # itsdangerous signed values (shopper links, session cookies) and JWTs: payload.timestamp.signature
    (re.compile(r"(?<![A-Za-z0-9_.-])\.?[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])"),
     REDACTED),
]


def redact(text: str) -> str:
    """The text with every secret it holds replaced by [redacted]."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact_arg(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, bool | int | float) or value is None:
        return value  # %d and %f must keep working
    if isinstance(value, bytes):
        text = value.decode("latin-1")
        cleaned = redact(text)
        return value if cleaned == text else cleaned.encode("latin-1")
    text = str(value)
    cleaned = redact(text)
    return value if cleaned == text else cleaned  # objects whose text holds a secret (URLs, headers) become text


class RedactSecrets(logging.Filter):
    """Rewrites a record's message, arguments and traceback text so that no secret survives formatting."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub(record)
        return True


def scrub(record: logging.LogRecord) -> logging.LogRecord:
    if getattr(record, "_baton_redacted", False):
        return record
    if isinstance(record.msg, str):
        record.msg = redact(record.msg)
    else:
        text = str(record.msg)
        cleaned = redact(text)
        if cleaned != text:
            record.msg = cleaned
    if isinstance(record.args, dict):
        record.args = {k: _redact_arg(v) for k, v in record.args.items()}
    elif isinstance(record.args, tuple):
        record.args = tuple(_redact_arg(v) for v in record.args)
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record.__dict__["_baton_redacted"] = True
    return record


_FILTER = RedactSecrets()
LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access")


def install_redaction() -> None:
    """Redact every log record of this process; safe to call again (each app and worker calls it)."""
    for name in LOGGERS:
        logger = logging.getLogger(name or None)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
        for handler in logger.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "_baton_redacting", False):
        logging.setLogRecordFactory(_redacting(factory))


def _redacting(factory: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return scrub(factory(*args, **kwargs))

    make._baton_redacting = True  # type: ignore[attr-defined]
    return make
