"""customs library (no Dagster)."""
