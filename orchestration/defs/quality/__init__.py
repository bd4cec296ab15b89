"""Dagster glue of the quality checks: run a suite, audit a write, report the result."""
