"""serving library (no Dagster)."""
