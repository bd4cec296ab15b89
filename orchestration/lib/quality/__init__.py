"""quality library (no Dagster)."""
