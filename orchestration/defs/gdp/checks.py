"""The rules of the raw GDP and exchange-rate tables, audited before they are published.

Row rules of raw.gdp_annual and raw.fx_monthly are GE suites here, at ingestion, because
they gate the write (defs/quality/audit.py). The SQL rule is sql/china_gdp_every_year.sql.
"""

from pathlib import Path

import dagster as dg

from orchestration.defs.quality.audit import audit_spec
from orchestration.lib.quality.expectations import between, not_null, regex, unique
from orchestration.lib.quality.suite import SqlRule, Suite, load_sql

SQL = Path(__file__).parent / "sql"

GDP_SUITE = Suite(
    name="gdp_annual",
    table="raw.gdp_annual",
    columns=("year", "iso3", "gdp_usd", "vintage", "source"),
    expectations=(
        not_null("gdp_usd"),
        not_null("vintage"),
        between("gdp_usd", low=0, severity="error"),
        unique(["year", "iso3"]),
    ),
    rules=(
        SqlRule(
            "China has GDP for every year of the run",
            load_sql(SQL, "china_gdp_every_year"),
            "no missing year",
            params=lambda keys: {"years": keys},
        ),
    ),
    partition_column="year",
    id_columns=("year", "iso3", "source"),
)

FX_SUITE = Suite(
    name="fx_monthly",
    table="raw.fx_monthly",
    columns=("month", "country", "cny_per_usd"),
    expectations=(
        not_null("cny_per_usd"),
        between("cny_per_usd", low=0.5, high=20),
        unique(["month", "country"]),
        regex("month", r"^\d{4}-(0[1-9]|1[0-2])$"),
    ),
)
SUITES = (GDP_SUITE, FX_SUITE)


def check_spec(suite_name: str, key: dg.AssetKey) -> dg.AssetCheckSpec:
    """The blocking audit of a GDP or FX asset (the suite named ``suite_name``, on ``key``)."""
    return audit_spec({s.name: s for s in SUITES}[suite_name], key)
