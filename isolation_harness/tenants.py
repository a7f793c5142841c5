"""Tenants: a name, a seeded Faker identity, a unique canary, credentials and a client."""

from __future__ import annotations

import random
import secrets
import string
from dataclasses import dataclass, field
from typing import Any

from faker import Faker

from .transport import BoundSession

CANARY_PREFIX = "ih"
_CANARY_LENGTH = 10


_RUN_LENGTH = 8


def new_run() -> str:
    """A fresh per-run part (lowercase letters): tenants made with it are new accounts on any server."""
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(_RUN_LENGTH))


def make_canary(seed: int | str, name: str, run: str = "") -> str:
    """A lowercase-letters-only marker unique to one tenant of one run, fixed by seed, name and run.

    Letters only, so it fits fields whose pattern admits no digits or punctuation. The tenant's
    username, email and company carry it, so a new ``run`` makes them new too; ``run=""`` gives the
    same canary for the same seed and name every time.
    """
    rng = random.Random(f"{seed}:{name}:{run}" if run else f"{seed}:{name}")
    return CANARY_PREFIX + "".join(rng.choice(string.ascii_lowercase) for _ in range(_CANARY_LENGTH))


@dataclass(frozen=True)
class Identity:
    """The made-up company and person behind one tenant, drawn from a seeded Faker."""

    company: str
    first_name: str
    last_name: str
    email: str
    username: str
    password: str
    phone: str
    street: str
    city: str
    postcode: str
    country: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @classmethod
    def generate(cls, fake: Faker, canary: str) -> Identity:
        first, last = fake.first_name(), fake.last_name()
        return cls(
            company=f"{fake.company()} {canary}",
            first_name=first,
            last_name=last,
            email=f"{canary}@{fake.domain_name(1).lower().split('.')[0]}.example.com",
            username=canary,
            # Strong enough for any password policy: upper, lower, digit, symbol, 20 characters.
            password=fake.password(length=16, special_chars=False) + "Aa1!",
            phone=fake.numerify("+1555#######"),
            street=fake.street_address(),
            city=fake.city(),
            postcode=fake.postcode(),
            country=fake.country_code(),
        )

    def placeholders(self) -> dict[str, str]:
        """Values for ``{name}`` placeholders in config templates."""
        return {
            "company": self.company,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "name": self.name,
            "email": self.email,
            "username": self.username,
            "password": self.password,
            "phone": self.phone,
            "street": self.street,
            "city": self.city,
            "postcode": self.postcode,
            "country": self.country,
        }


@dataclass
class Credentials:
    """What a tenant sends to prove who it is: any mix of headers, cookies and query parameters.

    ``token`` is the raw secret when there is one; every value here is redacted in all output.
    """

    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    token: str | None = None

    def secrets(self) -> list[str]:
        values = [*self.headers.values(), *self.cookies.values(), *self.query.values()]
        if self.token:
            values.append(self.token)
        return values


@dataclass(frozen=True)
class AuthScheme:
    """How a token is sent: in a header with a prefix, in a cookie, or in a query parameter."""

    header: str | None = "Authorization"
    prefix: str = "Bearer "
    cookie: str | None = None
    query: str | None = None

    def credentials(self, token: str) -> Credentials:
        if self.cookie:
            return Credentials(cookies={self.cookie: token}, token=token)
        if self.query:
            return Credentials(query={self.query: token}, token=token)
        assert self.header is not None
        return Credentials(headers={self.header: f"{self.prefix}{token}"}, token=token)


class Tenant:
    """One synthetic customer of the API under test.

    ``client`` is a ``requests.Session`` bound to the API with the tenant's credentials applied;
    ``fake`` is its seeded Faker; ``canary`` is the marker its data carries, and ``run`` the per-run
    part in it (see :func:`make_canary`): the Faker, and so every other generated value, depends on
    the seed and name alone. ``state`` is yours (a provisioning hook may keep an account id there);
    the harness never reads or writes it.
    """

    def __init__(self, *, name: str, seed: int | str, client: BoundSession, run: str = "") -> None:
        self.name = name
        self.run = run
        self.canary = make_canary(seed, name, run)
        self.fake = Faker()
        self.fake.seed_instance(f"{seed}:{name}")
        self.identity = Identity.generate(self.fake, self.canary)
        self.client = client
        self.credentials: Credentials | None = None
        self.state: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"Tenant(name={self.name!r}, canary={self.canary!r})"

    def tag(self, value: str) -> str:
        """Make ``value`` carry this tenant's canary."""
        return f"{value} {self.canary}" if value else self.canary

    def apply(self, credentials: Credentials) -> None:
        """Make every later request of ``client`` carry ``credentials``."""
        self.credentials = credentials
        self.client.headers.update(credentials.headers)
        for key, value in credentials.cookies.items():
            self.client.cookies.set(key, value)
        if credentials.query:
            params: dict[str, Any] = dict(self.client.params) if isinstance(self.client.params, dict) else {}
            self.client.params = {**params, **credentials.query}

    def markers(self) -> list[str]:
        """Strings that identify this tenant's data in any response: its canary and identity."""
        return [self.canary, self.identity.email]
