"""gdp library (no Dagster)."""
