"""Dagster definitions: charts and the dbt docs site."""
