"""The synthetic-group generator: a financial group's landing files for demos, tests and benchmarks.

`generator.group.generate()` is the entry point (the `carbonledger generate` and `demo` commands call
it); docs/demo_data.md describes what it writes and the bad rows it injects on purpose.
"""
