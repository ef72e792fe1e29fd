"""The store: one interface (base.Store), two backends (embedded Oxigraph, any SPARQL 1.1 server)."""

from __future__ import annotations

from sozialgraph.store.base import Change, Store
from sozialgraph.store.oxigraph import OxigraphStore
from sozialgraph.store.sparql import SparqlStore


def open_store(settings: dict) -> Store:
    """The store the settings name: a remote server when ``store_url`` is set, else the embedded directory."""
    if settings.get("store_url"):
        return SparqlStore(settings["store_url"], settings.get("store_update_url") or settings["store_url"],
                           graph_store_url=settings.get("store_graph_url") or None,
                           user=settings.get("store_user") or None, password=settings.get("store_password") or None,
                           timeout=float(settings.get("store_timeout") or 60))
    return OxigraphStore(settings["store"])


__all__ = ["Change", "OxigraphStore", "SparqlStore", "Store", "open_store"]
