"""Dagster definitions: the serving publication for BI tools."""
