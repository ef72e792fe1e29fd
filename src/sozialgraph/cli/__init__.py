"""The `sozialgraph` command line: the group in base.py, one module per command group."""

from __future__ import annotations

from sozialgraph.cli import analyse, backup, capture, core, demo, geodata, indicators, publish, report, serve, steering  # noqa: F401  (each adds its commands)
from sozialgraph.cli.base import main

__all__ = ["main"]
