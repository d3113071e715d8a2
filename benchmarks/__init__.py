"""Benchmarks: ``python -m benchmarks [name ...]`` (``make bench``). Not part of the test suite."""
