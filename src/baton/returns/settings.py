"""Use cases of the return policies (settings): read a channel's policy, set it."""

from __future__ import annotations

from dataclasses import asdict

from baton.adapters.db.uow import UnitOfWork
from baton.orders.model import Channel
from baton.returns.policy import ReturnPolicy
from baton.shared.clock import utcnow
from baton.shared.errors import InvalidInput


def get_policy(uow: UnitOfWork, channel: str) -> ReturnPolicy:
    with uow:
        return uow.return_policies.get(_channel(channel))


def set_policy(uow: UnitOfWork, channel: str, window_days: int, restocking_fee_percent: int,
               return_shipping_fee: dict[str, int]) -> ReturnPolicy:
    """Replace the channel's policy; returns opened from now on follow it (open ones keep their units)."""
    with uow:
        before = uow.return_policies.get(_channel(channel))
        policy = ReturnPolicy(channel, window_days, restocking_fee_percent, return_shipping_fee, utcnow())
        uow.return_policies.put(policy)
        uow.audit.record("return_policy.set", "return_policy", channel,
                         _view(before) if before.updated_at else None, _view(policy))
        uow.commit()
        return policy


def _channel(channel: str) -> str:
    if channel not in set(Channel):
        raise InvalidInput("channel", f"must be one of {', '.join(Channel)}.", code="unknown_channel")
    return channel


def _view(policy: ReturnPolicy) -> dict:
    return {k: v for k, v in asdict(policy).items() if k not in ("channel", "updated_at")}
