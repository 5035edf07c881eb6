"""Settings from BATON_* environment variables. Nothing connects at import."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# Values that must never protect a production shop (examples from docs, placeholders, the empty string).
DEFAULT_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev", "development", "baton", "demo",
                             "please-change-me", "insecure"})
MIN_SECRET_LENGTH = 32


def _default_database_url() -> str:
    return f"sqlite:///{Path('baton.db').resolve()}"


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=_default_database_url)
    routing_strategy: str = "default"
    db_pool_size: int = 10
    echo_sql: bool = False
    environment: str = "development"  # "production" refuses default secrets and insecure cookies
    # Signs shopper links and protects console forms. In development Baton generates one and keeps it in the
    # database, so every process agrees; production must set it.
    secret_key: str | None = None
    public_url: str = "http://127.0.0.1:8000"  # where links in mail point
    session_hours: int = 12  # console sign-in lifetime
    shopper_link_hours: int = 24  # how long a signed shopper link works
    stripe_api_key: str | None = None  # the `stripe` payment method works only with a key
    stripe_api_base: str | None = None  # another Stripe endpoint (tests point it at a local fake)
    # The seller on every invoice and credit memo (a document keeps what it was issued with)
    seller_name: str = "Baton Demo Shop GmbH"
    seller_address: str = "Beispielstraße 1, 10115 Berlin, Germany"
    seller_tax_id: str | None = "DE123456789"  # VAT or sales tax id; empty: none shown
    base_currency: str = "EUR"  # ISO 4217: exchange rates and reports convert to it
    # Customer notifications (docs/notifications.md): no SMTP host keeps email queued, visible and unsent;
    # no SMS URL records texts in the SMS sandbox table instead of sending them.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    mail_from: str = "Baton <no-reply@localhost>"
    sms_url: str | None = None
    sms_token: str | None = None
    # The event stream: a JSON-lines file (None: baton-events.jsonl next to the SQLite database, or in the working
    # directory; "off": no stream), or NATS JetStream when nats_url is set (docs/events.md)
    events_file: str | None = None
    nats_url: str | None = None
    webhooks_allow_private: bool = False  # webhook URLs may reach loopback/private addresses (tests, labs only)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        return cls(
            database_url=env.get("BATON_DATABASE_URL") or _default_database_url(),
            routing_strategy=env.get("BATON_ROUTING_STRATEGY", "default"),
            db_pool_size=int(env.get("BATON_DB_POOL_SIZE", "10")),
            echo_sql=env.get("BATON_ECHO_SQL", "") in ("1", "true", "yes"),
            environment=env.get("BATON_ENV", "development"),
            secret_key=env.get("BATON_SECRET_KEY"),
            public_url=env.get("BATON_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
            session_hours=int(env.get("BATON_SESSION_HOURS", "12")),
            shopper_link_hours=int(env.get("BATON_SHOPPER_LINK_HOURS", "24")),
            stripe_api_key=env.get("BATON_STRIPE_API_KEY") or None,
            stripe_api_base=env.get("BATON_STRIPE_API_BASE") or None,
            seller_name=env.get("BATON_SELLER_NAME") or cls.seller_name,
            seller_address=env.get("BATON_SELLER_ADDRESS") or cls.seller_address,
            seller_tax_id=env.get("BATON_SELLER_TAX_ID", cls.seller_tax_id or "").strip() or None,
            base_currency=(env.get("BATON_BASE_CURRENCY") or "EUR").strip().upper(),
            smtp_host=env.get("BATON_SMTP_HOST") or None,
            smtp_port=int(env.get("BATON_SMTP_PORT") or "587"),
            smtp_username=env.get("BATON_SMTP_USERNAME") or None,
            smtp_password=env.get("BATON_SMTP_PASSWORD") or None,
            smtp_starttls=env.get("BATON_SMTP_STARTTLS", "1").lower() not in ("0", "false", "no"),
            mail_from=env.get("BATON_MAIL_FROM") or cls.mail_from,
            sms_url=env.get("BATON_SMS_URL") or None,
            sms_token=env.get("BATON_SMS_TOKEN") or None,
            events_file=env.get("BATON_EVENTS_FILE") or None,
            nats_url=env.get("BATON_NATS_URL") or None,
            webhooks_allow_private=env.get("BATON_WEBHOOKS_ALLOW_PRIVATE", "") in ("1", "true", "yes"),
        )

    @property
    def production(self) -> bool:
        return self.environment == "production"

    def production_problems(self) -> list[str]:
        """Why this configuration must not serve a real shop; empty when it may."""
        if not self.production:
            return []
        problems = []
        key = self.secret_key or ""
        if key.strip().lower() in DEFAULT_SECRETS:
            problems.append("BATON_SECRET_KEY is unset or a well-known default; set it to a long random value "
                            "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`).")
        elif len(key) < MIN_SECRET_LENGTH:
            problems.append(f"BATON_SECRET_KEY is shorter than {MIN_SECRET_LENGTH} characters; use a long random "
                            "value.")
        if not self.public_url.startswith("https://"):
            problems.append("BATON_PUBLIC_URL must be an https:// address in production (links and cookies are "
                            "only safe over TLS).")
        return problems
