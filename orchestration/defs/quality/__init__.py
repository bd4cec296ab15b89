"""Dagster definitions: write, audit, publish: the Dagster side of the checks."""
