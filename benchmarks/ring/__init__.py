"""The ring benchmark: one capacity-expansion LP built and solved by several tools.

Run ``python -m benchmarks.ring --help`` from the repository root; see ``benchmarks/README.md``.
"""
