"""Benchmark: the pipeline at scale against a plain DuckDB script and pandas."""
