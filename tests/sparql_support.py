"""Helpers for the SPARQL endpoint tests: a live server whose query-worker pool is closed afterwards."""

from __future__ import annotations

from contextlib import contextmanager

from conftest import LiveServer


@contextmanager
def serving(ctx, **settings):
    """The app over ``ctx`` on a real HTTP server at 127.0.0.1; yields the LiveServer (``.app`` is the app)."""
    from sozialgraph.web import create_app
    from sozialgraph.web.views.sparql import close_pool

    app = create_app({"store": str(ctx.store.path), **settings}, context=ctx)
    srv = LiveServer(app)
    srv.app = app
    try:
        yield srv
    finally:
        srv.stop()
        close_pool(app)
