"""What Baton knows about carriers without calling them: where a tracking number can be followed, and how many
business days a parcel usually travels, per service. Baton receives no carrier scans, so an expected delivery is an
estimate from these usual transit times (documented in the README), never a promise.

Unknown carriers or services fall back to DEFAULT_TRANSIT; an order that has not shipped adds HANDLING (the days a
location usually needs to pick and pack)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import quote

DEFAULT_TRANSIT = (2, 5)  # business days, earliest and latest, when the carrier or service is unknown
HANDLING = (1, 2)  # business days from placement to handing the parcel to the carrier

# carrier (lower case) -> the page that follows a tracking number ({number} is replaced, URL-quoted)
TRACKING_PAGES = {
    "dhl": "https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode={number}",
    "dpd": "https://tracking.dpd.de/status/en_US/parcel/{number}",
    "hermes": "https://www.myhermes.de/empfangen/sendungsverfolgung/sendungsinformation#{number}",
    "gls": "https://gls-group.com/track/{number}",
    "ups": "https://www.ups.com/track?tracknum={number}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={number}",
    "usps": "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
}

# (carrier, service) in lower case -> usual transit in business days; (carrier, None) for a carrier's default
TRANSIT: dict[tuple[str, str | None], tuple[int, int]] = {
    ("dhl", None): (1, 2), ("dhl", "paket"): (1, 2), ("dhl", "express"): (1, 1),
    ("dpd", None): (1, 2), ("dpd", "classic"): (1, 2), ("dpd", "express"): (1, 1),
    ("hermes", None): (2, 3), ("gls", None): (1, 3),
    ("ups", None): (1, 5), ("ups", "ground"): (1, 5), ("ups", "2nd day air"): (2, 2),
    ("fedex", None): (1, 5), ("fedex", "home delivery"): (1, 5), ("fedex", "express saver"): (3, 3),
    ("usps", None): (2, 5), ("usps", "ground advantage"): (2, 5), ("usps", "priority mail"): (1, 3),
}


@dataclass(frozen=True)
class Estimate:
    earliest: date
    latest: date


def tracking_url(carrier: str, tracking_number: str | None) -> str | None:
    """The carrier's public tracking page for this number, when Baton knows the carrier."""
    template = TRACKING_PAGES.get(carrier.strip().lower())
    if not template or not tracking_number:
        return None
    return template.format(number=quote(tracking_number, safe=""))


def transit_days(carrier: str | None, service: str | None) -> tuple[int, int]:
    name = (carrier or "").strip().lower()
    return (TRANSIT.get((name, (service or "").strip().lower()))
            or TRANSIT.get((name, None)) or DEFAULT_TRANSIT)


def expected_delivery(shipped_on: date, carrier: str | None, service: str | None) -> Estimate:
    """When a parcel handed over on `shipped_on` usually arrives."""
    low, high = transit_days(carrier, service)
    return Estimate(add_business_days(shipped_on, low), add_business_days(shipped_on, high))


def expected_before_shipping(placed_on: date, today: date) -> Estimate:
    """When an order not yet shipped usually arrives: handling, then the default transit; never before tomorrow."""
    start = max(placed_on, today)
    low = add_business_days(start, HANDLING[0] + DEFAULT_TRANSIT[0])
    high = add_business_days(start, HANDLING[1] + DEFAULT_TRANSIT[1])
    return Estimate(low, high)


def add_business_days(day: date, days: int) -> date:
    """`days` working days (Monday to Friday) after `day`; public holidays are not known."""
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day
