"""Blueprints; each module exposes ``bp`` (and optionally ``init_app(app)``)."""
