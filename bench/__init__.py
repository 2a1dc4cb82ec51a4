"""Benchmarks: `python -m bench [--only NAME]`. Each prints JSON lines (see DESIGN §5)."""
