"""Benchmark runners (not installed with gridopt; run from the repository root)."""
