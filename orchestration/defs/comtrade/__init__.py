"""Dagster definitions: UN Comtrade annual flows."""
