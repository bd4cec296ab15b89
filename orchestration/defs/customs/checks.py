"""The rules of the raw customs table, audited before a run's rows are published.

Row and schema rules of raw.customs_monthly_trade are a GE suite here, at ingestion,
because they gate the write (defs/quality/audit.py); the staging and mart rules built on
it are dbt tests (dbt_project/models), except the reconciliation of the technology panel
against total imports, a check after the mart is built. The SQL rules are the files of
sql/.
"""

from datetime import date
from pathlib import Path

import dagster as dg

from orchestration.defs.quality.audit import audit_spec
from orchestration.defs.quality.checks import build_check, severity_setting
from orchestration.lib.quality.expectations import (
    between,
    has_columns,
    in_set,
    not_null,
    regex,
    unique,
)
from orchestration.lib.quality.suite import SqlRule, Suite, load_sql
from orchestration.settings import get_settings

SQL = Path(__file__).parent / "sql"
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
KEY = ["period_month", "flow", "partner_code", "hs8", "regime_code", "location_code"]


def oldest_allowed_month(today: date) -> str:
    """The oldest newest-month GACC's release calendar allows on ``today``.

    GACC releases month M around the 20th of M+1. On day d of month N the newest month
    should be N-1 once d >= 20, else N-2; one more month of grace for late releases.
    """
    lag = (1 if today.day >= 20 else 2) + 1
    index = today.year * 12 + today.month - 1 - lag
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def freshness_as_of() -> date | None:
    """The clock is a bound the user sets (CHOKEPOINT_FRESHNESS_AS_OF = today or a date).

    Without it, a data folder is judged by what its runs asked for, not by the day it is
    opened, so a folder of past months (or the synthetic set) never reads as stale.
    """
    return get_settings().quality.freshness_date()


def _freshness_params(keys: list) -> dict:
    del keys  # judged on the whole table
    as_of = freshness_as_of()
    if as_of is None:
        return {"oldest": None, "as_of": None}
    return {"oldest": oldest_allowed_month(as_of), "as_of": as_of.isoformat()}


def freshness_rule() -> SqlRule:
    """The newest month is as recent as the release calendar allows (warn by default)."""
    return SqlRule(
        "freshness: the newest month is as recent as GACC's release calendar allows on the "
        "CHOKEPOINT_FRESHNESS_AS_OF date",
        load_sql(SQL, "freshness"),
        "newest month >= the month released by that date, minus one month of grace; "
        "not evaluated when CHOKEPOINT_FRESHNESS_AS_OF is unset",
        severity_setting("freshness", "warn"),
        _freshness_params,
    )


def empty_months_rule() -> SqlRule:
    """Every month the run asked for holds rows (warn by default)."""
    return SqlRule(
        "every month the run asked for holds rows: an empty month is a download gap or a "
        "release not out yet, never a month of zero trade",
        load_sql(SQL, "empty_months"),
        "no month of the run without rows",
        severity_setting("empty_months", "warn"),
        lambda keys: {"months": keys},
    )


def volume_band() -> tuple[float, float]:
    """CHOKEPOINT_VOLUME_BAND = low,high: the band around the trailing median."""
    low, high = get_settings().quality.volume_band
    return float(low), float(high)


def volume_rule() -> SqlRule:
    """Each month's rows and USD value against the trailing 12-month median."""
    low, high = volume_band()
    return SqlRule(
        "volume: each month's rows and USD value against the median of the 12 months before",
        load_sql(SQL, "volume"),
        f"rows and USD value within [{low}, {high}] x the trailing median",
        severity_setting("volume", "warn"),
        lambda keys: {"months": keys, "low": low, "high": high},
    )


def file_totals_rule() -> SqlRule:
    """Each loaded file's total equals what was stored from it."""
    return SqlRule(
        "each loaded file's total equals what was stored from it",
        load_sql(SQL, "file_totals"),
        "relative difference <= 1e-6",
    )


SUITE = Suite(
    name="customs_monthly_trade",
    table="raw.customs_monthly_trade",
    columns=(
        "period_month",
        "flow",
        "partner_code",
        "hs8",
        "regime_code",
        "location_code",
        "value_native",
        "qty1",
        "currency",
        "source_file",
        "line_no",
        "file_sha256",
        "origin",
    ),
    expectations=(
        has_columns(
            [
                "period_month",
                "flow",
                "partner_code",
                "hs8",
                "value_native",
                "currency",
                "source_file",
                "file_sha256",
                "origin",
            ]
        ),
        # no partner_code check: a commodity-grain file has none (the parser refuses
        # an empty code where the file has the column)
        not_null("period_month"),
        not_null("hs8"),
        regex("hs8", r"^\d{8}$"),
        regex("period_month", MONTH_PATTERN),
        in_set("flow", ["import", "export"]),
        in_set("currency", ["CNY", "USD"]),
        between("value_native", low=0),
        between("qty1", low=0),
        unique(KEY),
    ),
    rules=(file_totals_rule(), freshness_rule(), empty_months_rule(), volume_rule()),
    partition_column="period_month",
    partition_kind="month",
    id_columns=("period_month", "flow", "hs8", "partner_code", "source_file", "line_no"),
    summary_sql=load_sql(SQL, "partition_summary"),
)
# the mart's row rules are dbt tests (models/marts/_marts__models.yml); this check holds
# only the reconciliation of the panel against the month's total imports
PANEL_SUITE = Suite(
    name="fct_tech_group_monthly",
    table="marts.fct_tech_group_monthly",
    columns=("batch", "group_id", "period_month", "imports_usd"),
    expectations=(),
    rules=(
        SqlRule(
            "the technology panel never exceeds total imports for the month",
            load_sql(SQL, "panel_within_total_imports"),
            "panel <= total imports",
        ),
    ),
)
SUITES = (SUITE, PANEL_SUITE)
CHECKS = [build_check(PANEL_SUITE)]


def check_spec(suite_name: str, key: dg.AssetKey) -> dg.AssetCheckSpec:
    """The customs asset's blocking audit (the suite named ``suite_name``, on ``key``)."""
    return audit_spec({s.name: s for s in SUITES}[suite_name], key)
