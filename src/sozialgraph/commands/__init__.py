"""Command modules: each defines ``register(group)`` and adds its click commands to the `sozialgraph` group."""
