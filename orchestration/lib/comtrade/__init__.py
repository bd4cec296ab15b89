"""comtrade library (no Dagster)."""
