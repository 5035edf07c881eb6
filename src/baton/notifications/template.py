"""A message template (subject, text body, SMS text) and its rendering in a sandbox.

Templates are Jinja2 rendered by `SandboxedEnvironment`: an admin who edits one can use variables, `if` and
filters, but cannot reach Python (attribute access to internals, imports, calls of unsafe methods all raise).
Unknown variables are errors (StrictUndefined), so a typo is caught when the template is saved, against a
sample order, not when a customer should have had the message."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2 import Template as JinjaTemplate
from jinja2.sandbox import SandboxedEnvironment

from baton.shared.errors import InvalidInput

LANGUAGES = {"en": "English", "fr": "French", "de": "German", "es": "Spanish", "hi": "Hindi"}
FALLBACK = "en"
FIELDS = ("subject", "body", "sms")
MAX_LENGTH = {"subject": 300, "body": 20_000, "sms": 1_000}  # of the template source
SMS_MAX = 480  # characters of a rendered SMS (three concatenated parts at most)
SUBJECT_MAX = 300  # characters of a rendered subject (longer ones are cut: mail clients show far less anyway)

# Every variable a template may use, with what it holds (the console and docs/notifications.md list them).
VARIABLES = {
    "shop_name": "the shop's name (BATON_SELLER_NAME)",
    "customer_name": "the customer's name, or empty",
    "order_number": "the order number, e.g. BT-100042",
    "order_total": "the order's total in the customer's language, e.g. 1.234,56 €",
    "tracking_url": "the public tracking page of the order",
    "portal_url": "the customer's portal (orders, payments, returns)",
    "preferences_url": "the page where the customer chooses their messages",
    "carrier": "the parcel's carrier (shipping moments), else empty",
    "tracking_number": "the parcel's tracking number, or empty",
    "reason": "what the carrier reported (delay), or empty",
    "amount": "the amount paid back or refused (refund, payment problem), formatted",
    "pickup_location": "the store to collect from (ready for pickup)",
    "return_number": "the return's number (return received)",
}

_env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True)


@dataclass(frozen=True)
class Template:
    subject: str
    body: str
    sms: str


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    sms: str


class TemplateProblem(Exception):
    """A template that does not render: which field, and why in words an admin understands."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def language_for(tag: str | None) -> str:
    """The template language of a BCP 47 tag ("de-CH" → "de"); English for any language Baton has no texts in."""
    primary = (tag or "").replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else FALLBACK


def render(template: Template, context: dict[str, Any], *, strict: bool = False) -> Rendered:
    """`strict` (checking, preview): an SMS too long is an error; sending cuts it instead, so that a long name
    never costs the customer their message."""
    values = {name: "" for name in VARIABLES} | {k: ("" if v is None else v) for k, v in context.items()}
    subject = " ".join(_render("subject", template.subject, values).split())[:SUBJECT_MAX]  # one line
    body = _render("body", template.body, values).strip() + "\n"
    sms = " ".join(_render("sms", template.sms, values).split())
    if not subject:
        raise TemplateProblem("subject", "renders empty; a message needs a subject.")
    if len(sms) > SMS_MAX:
        if strict:
            raise TemplateProblem("sms", f"renders {len(sms)} characters; keep an SMS within {SMS_MAX}.")
        sms = sms[:SMS_MAX - 1] + "…"
    return Rendered(subject, body, sms)


def checked(template: Template, sample: dict[str, Any]) -> Template:
    """The template, once it renders against a sample order; else InvalidInput naming the field."""
    for name in FIELDS:
        value = getattr(template, name)
        if len(value) > MAX_LENGTH[name]:
            raise InvalidInput(name, f"is {len(value)} characters long; at most {MAX_LENGTH[name]}.")
    if not template.body.strip():
        raise InvalidInput("body", "must not be empty.")
    try:
        render(template, sample, strict=True)
    except TemplateProblem as problem:
        raise InvalidInput(problem.field, problem.reason, code="template_invalid") from None
    return template


@lru_cache(maxsize=512)
def _compiled(source: str) -> JinjaTemplate:
    """Compiling costs ~20× rendering (bench/RESULTS.md); keyed by the source, so an edited template compiles anew."""
    return _env.from_string(source)


def _render(field: str, source: str, values: dict[str, Any]) -> str:
    try:
        return _compiled(source).render(values)
    except TemplateSyntaxError as bad:
        raise TemplateProblem(field, f"line {bad.lineno}: {bad.message}") from None
    except TemplateError as bad:  # unknown variable, unsafe access (SecurityError) and other runtime errors
        raise TemplateProblem(field, bad.message or type(bad).__name__) from None
    except Exception as bad:  # e.g. a filter given the wrong type: still the template's fault, never a 500
        raise TemplateProblem(field, f"{type(bad).__name__}: {bad}") from None
