"""reference library (no Dagster)."""
