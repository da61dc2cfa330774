"""Benchmarks: measurements of the bot against the local Bot API server (run them as modules, e.g. bench.broadcast)."""
