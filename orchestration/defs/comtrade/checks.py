"""The rules of the raw Comtrade table, audited before a run's years are published.

Row rules of raw.comtrade_annual_flows are a GE suite here, at ingestion, because they
gate the write (defs/quality/audit.py); staging rules (one HS revision per group) are
dbt tests.
"""

import dagster as dg

from orchestration.defs.quality.audit import audit_spec
from orchestration.lib.quality.expectations import between, in_set, not_null, regex, unique
from orchestration.lib.quality.suite import Suite

SUITE = Suite(
    name="comtrade_annual_flows",
    table="raw.comtrade_annual_flows",
    columns=(
        "year",
        "reporter_code",
        "partner_code",
        "flow",
        "hs6",
        "cmd_level",
        "classification_code",
        "primary_value_usd",
        "origin",
        "source",
    ),
    expectations=(
        not_null("year"),
        not_null("reporter_code"),
        not_null("hs6"),
        in_set("flow", ["import", "export"]),
        regex("hs6", r"^(\d{6}|\d{4}|\d{2}|TOTAL)$"),
        in_set("cmd_level", ["HS6", "HS4", "HS2", "TOTAL"]),
        in_set("classification_code", ["H0", "H1", "H2", "H3", "H4", "H5", "H6"]),
        in_set("origin", ["real", "synthetic"]),
        between("primary_value_usd", low=0),
        unique(["year", "reporter_code", "partner_code", "flow", "hs6", "classification_code"]),
    ),
    partition_column="year",
    id_columns=("year", "reporter_code", "partner_code", "flow", "hs6", "source"),
)
SUITES = (SUITE,)


def check_spec(suite_name: str, key: dg.AssetKey) -> dg.AssetCheckSpec:
    """The Comtrade asset's blocking audit (the suite named ``suite_name``, on ``key``)."""
    return audit_spec({s.name: s for s in SUITES}[suite_name], key)
