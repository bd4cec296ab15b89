"""Dagster definitions: GDP and exchange rates."""
