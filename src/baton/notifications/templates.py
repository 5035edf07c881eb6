"""Use cases of templates: the one in force for a moment and language (an admin's override, else the built-in
one), list them, edit one (checked against a sample order first), restore the built-in one, preview."""

from __future__ import annotations

from typing import Any

from baton.adapters.db.uow import UnitOfWork
from baton.notifications.context import sample
from baton.notifications.defaults import DEFAULTS
from baton.notifications.moments import Moment
from baton.notifications.template import LANGUAGES, Rendered, Template, TemplateProblem, checked, render
from baton.shared.actor import Actor
from baton.shared.clock import utcnow
from baton.shared.errors import InvalidInput, NotFound


def parse(moment: str, language: str) -> tuple[Moment, str]:
    if moment not in set(Moment):
        raise NotFound(f"No moment '{moment}'; the moments are {', '.join(Moment)}.", code="moment_not_found")
    if language not in LANGUAGES:
        raise NotFound(f"No templates in '{language}'; the languages are {', '.join(LANGUAGES)}.",
                       code="language_not_found")
    return Moment(moment), language


def in_force(uow: UnitOfWork, moment: Moment, language: str) -> Template:
    return uow.notifications.override(str(moment), language) or DEFAULTS[language][moment]


def listed(uow: UnitOfWork) -> list[dict[str, Any]]:
    with uow:
        overrides = uow.notifications.overrides()
    return [_view(moment, language, overrides.get((str(moment), language))) for moment in Moment
            for language in LANGUAGES]


def one(uow: UnitOfWork, moment: str, language: str) -> dict[str, Any]:
    m, lang = parse(moment, language)
    with uow:
        overrides = uow.notifications.overrides()
    return _view(m, lang, overrides.get((str(m), lang)))


def save(uow: UnitOfWork, actor: Actor, moment: str, language: str, template: Template) -> dict[str, Any]:
    """Checked against a sample order first: a template that does not render is refused (422 naming the field)
    and nothing changes."""
    m, lang = parse(moment, language)
    checked(template, sample(lang, uow.settings.public_url, uow.settings.seller_name))
    with uow:
        before = in_force(uow, m, lang)
        uow.notifications.save_template(str(m), lang, template, actor.label, utcnow())
        uow.audit.record("notification_template.update", "notification_template", f"{m}/{lang}",
                         _audit(before), _audit(template))
        uow.commit()
    return one(uow, str(m), lang)


def reset(uow: UnitOfWork, moment: str, language: str) -> dict[str, Any]:
    m, lang = parse(moment, language)
    with uow:
        before = uow.notifications.override(str(m), lang) or DEFAULTS[lang][m]
        uow.notifications.delete_template(str(m), lang)
        uow.audit.record("notification_template.reset", "notification_template", f"{m}/{lang}", _audit(before),
                         _audit(DEFAULTS[lang][m]))  # audited even when nothing was left to reset
        uow.commit()
    return one(uow, str(m), lang)


def preview(public_url: str, shop_name: str, language: str, template: Template) -> Rendered:
    """The template rendered for the sample order; InvalidInput naming the field when it does not render."""
    try:
        return render(template, sample(language, public_url, shop_name), strict=True)
    except TemplateProblem as problem:
        raise InvalidInput(problem.field, problem.reason, code="template_invalid") from None


def _view(moment: Moment, language: str, override: dict[str, Any] | None) -> dict[str, Any]:
    default = DEFAULTS[language][moment]
    current = Template(override["subject"], override["body"], override["sms"]) if override else default
    return {"moment": str(moment), "language": language, "customised": override is not None,
            "subject": current.subject, "body": current.body, "sms": current.sms,
            "updated_at": override["updated_at"] if override else None,
            "updated_by": override["updated_by"] if override else None,
            "default": {"subject": default.subject, "body": default.body, "sms": default.sms}}


def _audit(template: Template) -> dict[str, Any]:
    return {"subject": template.subject, "body": template.body, "sms": template.sms}
