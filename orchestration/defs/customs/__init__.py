"""Dagster definitions: China Customs monthly HS8 trade."""
