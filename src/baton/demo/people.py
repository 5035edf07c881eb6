"""Demo customers: consumers in US and German cities near our locations, and a few business buyers."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from typing import Any

from baton.demo.data import BUSINESSES, CITIES, DE_FIRST, DE_LAST, DE_STREETS, US_FIRST, US_LAST, US_STREETS, City

DOMAINS = ("example.com", "example.org")


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    phone: str
    country: str  # US or DE: decides the currency
    city: City
    address: dict[str, Any]  # a shipping address with coordinates
    business: bool = False
    loyalty: float = 1.0  # relative chance of ordering again

    @property
    def currency(self) -> str:
        return "USD" if self.country == "US" else "EUR"


def _ascii(text: str) -> str:
    """"Müller" -> "mueller", "Öztürk" -> "oeztuerk": e-mail local parts stay plain ASCII."""
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = text.replace(" ", "").replace("&", "and")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _phone(rng: random.Random, city: City) -> str:
    if city.country == "US":
        area = rng.choice(("212", "415", "312", "617", "213", "512", "206", "303"))
        return f"+1 {area}-555-01{rng.randint(0, 99):02d}"  # 555-0100..0199: reserved for fiction
    return f"+49 {rng.choice(('30', '40', '89', '221', '69', '711', '341'))} {rng.randint(1000000, 9999999)}"


def _address(rng: random.Random, city: City, name: str, company: str | None = None) -> dict[str, Any]:
    number = rng.randint(1, 240)
    street = rng.choice(US_STREETS if city.country == "US" else DE_STREETS)
    address: dict[str, Any] = {"name": name}
    if company:
        address["company"] = company
    address |= {
        "line1": f"{number} {street}" if city.country == "US" else f"{street} {number}",
        "city": city.name, "postal_code": rng.choice(city.postal_codes), "region": city.region,
        "country": city.country,
        "latitude": round(city.latitude + rng.uniform(-0.04, 0.04), 5),
        "longitude": round(city.longitude + rng.uniform(-0.05, 0.05), 5),
    }
    if city.country == "US" and rng.random() < 0.3:
        address["line2"] = f"Apt {rng.randint(1, 40)}{rng.choice('ABCDEF')}"
    return address


def customers(rng: random.Random, count: int) -> list[Person]:
    """`count` distinct consumers (unique e-mails) plus the business buyers."""
    people: list[Person] = []
    emails: set[str] = set()
    weights = [c.weight for c in CITIES]
    while len(people) < count:
        city = rng.choices(CITIES, weights)[0]
        first, last = (rng.choice(US_FIRST), rng.choice(US_LAST)) if city.country == "US" else \
            (rng.choice(DE_FIRST), rng.choice(DE_LAST))
        name = f"{first} {last}"
        local = rng.choice((f"{first}.{last}", f"{first[0]}{last}", f"{first}{last[0]}", f"{first}.{last}"))
        email = f"{_ascii(local)}@{rng.choice(DOMAINS)}"
        if email in emails:
            email = email.replace("@", f"{rng.randint(2, 99)}@")
            if email in emails:
                continue
        emails.add(email)
        loyalty = rng.paretovariate(2.0)
        people.append(Person(name, email, _phone(rng, city), city.country, city, _address(rng, city, name),
                             loyalty=loyalty))
    for company, country in BUSINESSES:
        city = rng.choice([c for c in CITIES if c.country == country and c.weight >= 4])
        buyer = rng.choice(US_FIRST if country == "US" else DE_FIRST) + " " + \
            rng.choice(US_LAST if country == "US" else DE_LAST)
        email = f"purchasing.{_ascii(company.split(' ')[0])}@{rng.choice(DOMAINS)}"
        people.append(Person(buyer, email, _phone(rng, city), country, city,
                             _address(rng, city, buyer, company), business=True, loyalty=3.0))
    return people
