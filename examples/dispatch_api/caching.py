"""Server-side response caches of Dispatch, and the `Cache-Control` headers it sends.

- `customers`: pages of `GET /customers`, keyed by path and query alone (the `cache-without-tenant` bug).
- `orders`: order details by id, looked up before the ownership check (the `cache-before-authz` bug).
- `preferences`: `GET /me/preferences`, keyed with the account as well (correct, always on).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from cachetools import TTLCache
from fastapi import Request

from .models import Customer, Order, Preferences

TTL_SECONDS = 30
MAX_ENTRIES = 1024

CACHE_CONTROL = "Cache-Control"
PUBLIC_CATALOGUE = "public, max-age=300"
PUBLIC_PRIVATE_DATA = "public, max-age=60"  # the `cacheable-private-response` bug
PRIVATE = "private, no-store"

K = TypeVar("K")
V = TypeVar("V")


class ResponseCache(Generic[K, V]):
    """A `cachetools.TTLCache` behind a lock: handlers run on several threads, and cachetools is not
    thread-safe."""

    def __init__(self) -> None:
        self._entries: TTLCache[K, V] = TTLCache(maxsize=MAX_ENTRIES, ttl=TTL_SECONDS)
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._entries[key] = value

    def drop(self, key: K) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


@dataclass
class Caches:
    """The caches of one Dispatch application."""

    customers: ResponseCache[str, list[Customer]] = field(default_factory=ResponseCache)
    orders: ResponseCache[str, Order] = field(default_factory=ResponseCache)
    preferences: ResponseCache[tuple[str, str], Preferences] = field(default_factory=ResponseCache)


def request_key(request: Request) -> str:
    """The path and query of a request, as a cache key."""
    return f"{request.url.path}?{request.url.query}"


def cache_control_doc(description: str) -> dict[int | str, dict[str, Any]]:
    """The `responses` entry documenting the `Cache-Control` header of a 200 response."""
    return {200: {"headers": {CACHE_CONTROL: {"description": description, "schema": {"type": "string"}}}}}
