"""The built-in templates: every moment in every language Baton ships (an admin's override in the database wins).

Each language module holds its texts as (subject, body, sms) per moment, and its own greeting and footer."""

from __future__ import annotations

from baton.notifications.defaults import de, en, es, fr, hi
from baton.notifications.moments import Moment
from baton.notifications.template import Template

_MODULES = {"en": en, "fr": fr, "de": de, "es": es, "hi": hi}


def _build(module: object) -> dict[Moment, Template]:
    greeting, footer = module.GREETING, module.FOOTER  # type: ignore[attr-defined]
    texts: dict[Moment, tuple[str, str, str]] = module.TEXTS  # type: ignore[attr-defined]
    return {moment: Template(subject, f"{greeting}\n\n{body}\n\n{footer}", sms)
            for moment, (subject, body, sms) in texts.items()}


DEFAULTS: dict[str, dict[Moment, Template]] = {language: _build(module) for language, module in _MODULES.items()}
