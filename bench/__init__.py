"""Baton's benchmark harness: `python -m bench.run` (see bench/README.md); results in bench/RESULTS.md."""
