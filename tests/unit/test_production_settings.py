"""A production start refuses default secrets; development needs no configuration at all."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from baton.config import Settings
from baton.entrypoints.cli.main import app as cli

GOOD = {"BATON_ENV": "production", "BATON_SECRET_KEY": "k" * 48, "BATON_PUBLIC_URL": "https://shop.example"}


@pytest.mark.parametrize("secret", [None, "", "change-me", "secret", "CHANGEME", "short-but-not-default"])
def test_production_refuses_a_missing_default_or_short_secret(secret: str | None) -> None:
    env = {**GOOD, "BATON_SECRET_KEY": secret} if secret is not None else {k: v for k, v in GOOD.items()
                                                                           if k != "BATON_SECRET_KEY"}
    problems = Settings.from_env(env).production_problems()
    assert len(problems) == 1 and "BATON_SECRET_KEY" in problems[0]


def test_production_refuses_links_that_are_not_https() -> None:
    problems = Settings.from_env({**GOOD, "BATON_PUBLIC_URL": "http://shop.example"}).production_problems()
    assert problems == ["BATON_PUBLIC_URL must be an https:// address in production (links and cookies are only "
                        "safe over TLS)."]


def test_production_with_real_secrets_and_development_without_any_are_accepted() -> None:
    assert Settings.from_env(GOOD).production_problems() == []
    assert Settings.from_env({}).production_problems() == []


def test_baton_serve_in_production_with_the_default_secret_exits_before_listening(tmp_path) -> None:
    env = {**GOOD, "BATON_SECRET_KEY": "change-me", "BATON_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    done = CliRunner().invoke(cli, ["serve", "--port", "1"], env=env)
    assert done.exit_code == 2
    assert "Refusing to start in production" in done.stderr and "BATON_SECRET_KEY" in done.stderr
