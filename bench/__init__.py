"""Benchmarks: `make bench` runs them and prints their figures; `make test` never does."""
