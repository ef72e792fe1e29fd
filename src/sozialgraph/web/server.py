"""Run the web application under gunicorn (production WSGI server, threaded worker).

One gunicorn worker process owns the read-write store (RocksDB allows one writer process); requests are served by
its threads, SPARQL queries are evaluated in separate worker processes (see sparql_pool) so that a runaway query
can be stopped. Behind a reverse proxy, see README ("Betrieb hinter einem Reverse Proxy").
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from sozialgraph.web import keep_warm


class _Gunicorn(BaseApplication):
    def __init__(self, app_factory, options: dict[str, Any]):
        self.app_factory = app_factory
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # called in the worker after the fork (no preloading): the store is opened there, never in the master,
        # because RocksDB must not be carried across a fork
        app = self.app_factory()
        keep_warm(app)  # before the first request, which would otherwise build the search index (seconds)
        return app


def run(app_factory, host: str, port: int, threads: int, on_ready=None) -> None:
    """Serve the app that ``app_factory()`` builds inside the single gunicorn worker."""
    options = {
        "bind": f"{host}:{port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": threads,
        # a worker that stops answering gunicorn's heartbeat for this long is replaced (the store is crash-safe:
        # every write is one transaction); queries have their own, shorter limit
        "timeout": 120,
        "control_socket_disable": True,  # one control socket path for every server on the machine otherwise
        "graceful_timeout": 10,
        "accesslog": "-",
        "forwarded_allow_ips": "127.0.0.1,::1",
        "preload_app": False,
        # long SPARQL GET queries: gunicorn's default request line is 4094 bytes and answers HTML; 8190 is its
        # maximum, the app itself answers a query string over max_query_string (8000) with a JSON 414 (use POST)
        "limit_request_line": 8190,
    }
    if on_ready:
        # in the worker once the app is built and warmed up: the address is announced when it answers at once
        options["post_worker_init"] = lambda worker: on_ready()
    _Gunicorn(app_factory, options).run()
