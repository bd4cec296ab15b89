"""Dagster definitions: the dbt project as Dagster assets."""
