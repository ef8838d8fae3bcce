"""Benchmarks: `python -m bench.<name> --n N` prints one JSON line of figures (see bench/README.md)."""
