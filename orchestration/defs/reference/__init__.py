"""Dagster definitions: reference lists and technology batches."""
