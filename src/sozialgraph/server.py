"""Run the web application under gunicorn (production WSGI server, threaded worker).

One gunicorn worker process owns the read-write store (RocksDB allows one writer process); requests are served by
its threads, SPARQL queries are evaluated in separate worker processes (see sparql_pool) so that a runaway query
can be stopped. Behind a reverse proxy, see README ("Betrieb hinter einem Reverse Proxy").
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, app, options: dict[str, Any]):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def run(app, host: str, port: int, threads: int, on_ready=None) -> None:
    options = {
        "bind": f"{host}:{port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 0,  # our own per-query limit applies; never let gunicorn kill the store owner mid-write
        "graceful_timeout": 10,
        "accesslog": "-",
        "forwarded_allow_ips": "127.0.0.1,::1",
        "preload_app": True,
    }
    if on_ready:
        options["when_ready"] = lambda server: on_ready()
    _Gunicorn(app, options).run()
