"""Serving: the published copy of the marts for BI tools."""
