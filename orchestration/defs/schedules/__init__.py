"""Dagster definitions: jobs, schedules."""
