"""Report assets: charts and the dbt docs."""
