"""What a command or a request works with: the settings, the store, and caches that follow the store."""

from __future__ import annotations

import threading
from typing import Any

from sozialgraph import config
from sozialgraph.sparql.binding import Resolver
from sozialgraph.store import Store, open_store


class Context:
    def __init__(self, settings: dict[str, Any] | None = None, store: Store | None = None):
        self.settings = settings if settings is not None else config.load()
        self._store = store
        self._owns_store = store is None
        self._resolver: Resolver | None = None
        self._resolver_gen = -1
        self._lock = threading.Lock()

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.settings)
        return self._store

    def resolver(self) -> Resolver:
        """The name/code resolver, rebuilt after the store changes."""
        with self._lock:
            gen = self.store.generation  # read before the build: a write during it makes the next call rebuild
            if self._resolver is None or self._resolver_gen != gen:
                self._resolver = Resolver.from_store(self.store)
                self._resolver_gen = gen
            return self._resolver

    def close(self) -> None:
        """Close the store this context opened (a store handed in stays open)."""
        with self._lock:
            if self._store is not None and self._owns_store:
                self._store.close()
            self._store = None
            self._resolver = None
