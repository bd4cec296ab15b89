"""Great Expectations suites as blocking Dagster asset checks.

Each check reads only the slice just materialized (the run's partitions) or the columns
it needs, validates it with GE, and adds reconciliation rules that need the whole table
as SQL run inside DuckDB. A failed error-severity expectation fails the check with ERROR
severity, which blocks everything downstream; warning-severity failures are reported and
block nothing. The metadata names each expectation, its observed value and threshold,
and a few offending rows.
"""

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import dagster as dg
import pandas as pd

from orchestration.defs.comtrade.assets import COMTRADE_KEY
from orchestration.defs.customs.assets import CUSTOMS_KEY
from orchestration.defs.gdp.assets import FX_KEY, GDP_KEY
from orchestration.defs.partitions import annual_partitions, monthly_partitions
from orchestration.defs.quality import ge_runner
from orchestration.defs.quality.ge_runner import Expectation
from orchestration.defs.resources import WarehouseResource
from orchestration.settings import Settings


@dataclass(frozen=True)
class SqlRule:
    """A rule over the whole table, evaluated in DuckDB: the query returns offending rows."""

    name: str
    sql: str | Callable[[], str]
    threshold: str
    severity: str = "error"


@dataclass(frozen=True)
class Suite:
    name: str
    asset_key: dg.AssetKey
    read: Callable  # (connection, context) -> DataFrame of the slice to validate
    expectations: list[Expectation]
    rules: tuple[SqlRule, ...] = ()
    partitioned: bool = False


def run_partition_keys(context, kind: str) -> list:
    """The partitions the run materialized, read from its tags (checks run beside the
    asset in the same run: one key, or a single-run range)."""
    tags = context.run.tags
    partitions = monthly_partitions if kind == "month" else annual_partitions
    if "dagster/partition" in tags:
        keys = [tags["dagster/partition"]]
    elif "dagster/asset_partition_range_start" in tags:
        keys = partitions.get_partition_keys_in_range(dg.PartitionKeyRange(
            tags["dagster/asset_partition_range_start"],
            tags["dagster/asset_partition_range_end"]))
    else:
        return []
    return [k[:7] for k in keys] if kind == "month" else [int(k) for k in keys]


def _partition_filter(context, column: str, kind: str) -> tuple[str, list]:
    values = run_partition_keys(context, kind)
    if not values:
        return "true", []
    return f"list_contains(?, {column})", [values]


# A slice larger than this is validated in chunks of whole partitions, so a backfill of
# the full record never holds more than about this many rows in pandas at once.
MAX_ROWS_PER_BATCH = int(os.environ.get("CHOKEPOINT_CHECK_BATCH_ROWS", "300000"))


def _read(table: str, columns: str, part_column: str | None = None, kind: str = "month",
          chunk_by: str | None = None):
    """Read the run's slice in chunks of whole ``chunk_by`` groups (default: partitions).
    A chunk key must be part of every uniqueness key of the suite, so no duplicate can
    straddle two chunks."""
    chunk_by = chunk_by or part_column

    def read(con, context) -> Iterator[pd.DataFrame]:
        if not part_column:
            yield con.execute(f"SELECT {columns} FROM {table}").df()
            return
        where, params = _partition_filter(context, part_column, kind)
        sizes = con.execute(
            f"SELECT {chunk_by} AS chunk, count(*) FROM {table} WHERE {where} GROUP BY ALL "
            "ORDER BY 1", params).fetchall()
        chunk: list = []
        rows = 0
        for value, count in sizes + [(None, None)]:
            if chunk and (value is None or rows + count > MAX_ROWS_PER_BATCH):
                yield con.execute(
                    f"SELECT {columns} FROM {table} WHERE list_contains(?, {chunk_by})",
                    [chunk]).df()
                chunk, rows = [], 0
            if value is not None:
                chunk.append(value)
                rows += count
        if not sizes:
            yield con.execute(f"SELECT {columns} FROM {table} WHERE false").df()

    return read


def _range(column: str, low=None, high=None, severity: str = "error") -> Expectation:
    kwargs = {"column": column}
    if low is not None:
        kwargs["min_value"] = low
    if high is not None:
        kwargs["max_value"] = high
    return Expectation("ExpectColumnValuesToBeBetween", kwargs, severity)


def _not_null(column: str) -> Expectation:
    return Expectation("ExpectColumnValuesToNotBeNull", {"column": column})


def _in_set(column: str, values: list) -> Expectation:
    return Expectation("ExpectColumnValuesToBeInSet", {"column": column, "value_set": values})


def _regex(column: str, pattern: str) -> Expectation:
    return Expectation("ExpectColumnValuesToMatchRegex", {"column": column, "regex": pattern})


def _unique(columns: list[str]) -> Expectation:
    if len(columns) == 1:
        return Expectation("ExpectColumnValuesToBeUnique", {"column": columns[0]})
    return Expectation("ExpectCompoundColumnsToBeUnique", {"column_list": columns})


def _columns(columns: list[str]) -> Expectation:
    return Expectation("ExpectTableColumnsToMatchSet",
                       {"column_set": columns, "exact_match": False})


def _in_run_partitions(column: str, kind: str) -> Callable:
    """Periods in range: a value outside the partitions of the run is an error."""

    def build(context) -> Expectation:
        return _in_set(column, run_partition_keys(context, kind))

    return build


def _severity(name: str, default: str) -> str:
    """Which checks block is a setting: CHOKEPOINT_<NAME>_SEVERITY = error | warn."""
    value = os.environ.get(f"CHOKEPOINT_{name.upper()}_SEVERITY", default).lower()
    return "error" if value == "error" else "warn"


def _volume_band() -> tuple[float, float]:
    low, high = os.environ.get("CHOKEPOINT_VOLUME_BAND", "0.5,2.0").split(",")
    return float(low), float(high)


def oldest_allowed_month(today: date) -> str:
    """GACC releases month M around the 20th of M+1. On day d of month N the newest month
    should be N-1 once d >= 20, else N-2; one more month of grace for late releases."""
    lag = (1 if today.day >= 20 else 2) + 1
    index = today.year * 12 + today.month - 1 - lag
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _freshness_rule() -> SqlRule:
    return SqlRule(
        "freshness: the latest month is not older than the release calendar allows",
        lambda: (
            "SELECT max(period_month) AS latest_month, "
            f"'{oldest_allowed_month(date.today())}' AS oldest_allowed "
            "FROM raw.customs_monthly_trade "
            f"HAVING max(period_month) < '{oldest_allowed_month(date.today())}'"
        ),
        "latest month >= release calendar month minus one month of grace",
        _severity("freshness", "warn"),
    )


def _volume_rule() -> SqlRule:
    low, high = _volume_band()
    return SqlRule(
        "volume: each month's rows and value against the median of the 12 months before",
        f"""WITH m AS (
                SELECT period_month, flow, count(*) AS n, sum(value_native) AS v
                FROM raw.customs_monthly_trade GROUP BY ALL),
            w AS (
                SELECT a.period_month, a.flow, a.n, a.v,
                       (SELECT median(b.n) FROM m b WHERE b.flow = a.flow
                          AND b.period_month < a.period_month
                          AND b.period_month >= strftime(strptime(a.period_month, '%Y-%m')
                              - INTERVAL 12 MONTH, '%Y-%m')) AS n_ref,
                       (SELECT median(b.v) FROM m b WHERE b.flow = a.flow
                          AND b.period_month < a.period_month
                          AND b.period_month >= strftime(strptime(a.period_month, '%Y-%m')
                              - INTERVAL 12 MONTH, '%Y-%m')) AS v_ref
                FROM m a WHERE list_contains(?, a.period_month))
            SELECT * FROM w
            WHERE n_ref IS NOT NULL AND (n < {low} * n_ref OR n > {high} * n_ref
                  OR v < {low} * v_ref OR v > {high} * v_ref)""",
        f"rows and value within [{low}, {high}] x the trailing median",
        _severity("volume", "warn"),
    )


def _table_suite(model: str, schema: str, keys: list[str], not_null: list[str] = (),
                 ranges: dict | None = None, sets: dict | None = None,
                 rules: tuple = ()) -> Suite:
    columns = sorted({*keys, *not_null, *(ranges or {}), *(sets or {})})
    exps = [_unique(keys)] if keys else []
    exps += [_not_null(c) for c in not_null]
    exps += [_range(c, *bounds) for c, bounds in (ranges or {}).items()]
    exps += [_in_set(c, values) for c, values in (sets or {}).items()]
    return Suite(name=model, asset_key=dg.AssetKey([model]),
                 read=_read(f"{schema}.{model}", ", ".join(columns)),
                 expectations=exps, rules=rules)


SHARE = (0, 1)
ORIGINS = ["real", "synthetic", "mixed"]
PATTERNS = ["stockpiling or policy disturbance", "no discernable effect",
            "successful import substitution", "undefined"]

TABLE_SUITES = [
    _table_suite("fct_customs_monthly", "marts", ["period_month", "flow"],
                 ranges={"value_usd": (0, None)}, sets={"flow": ["import", "export"]}),
    _table_suite("dim_tech_group", "marts", ["group_id"], ["group_name", "category"],
                 sets={"category": ["capital", "intermediate", "consumption"]}),
    _table_suite("dim_hs8_tech", "marts", ["batch", "hs8", "valid_from"], ["group_id"]),
    _table_suite("ind_pattern_matrix", "indicators",
                 ["batch", "growth_class", "volatility_tier"], ["groups"],
                 sets={"pattern": PATTERNS, "growth_class": ["high", "low"]}),
    _table_suite("ind_pattern_sensitivity", "indicators", ["batch", "group_id"],
                 sets={"default_pattern": PATTERNS}),
    _table_suite("ind_gdp_shares", "indicators", ["trade_year"], ["gdp_usd"],
                 ranges={"capital_share_of_gdp": SHARE, "intermediate_share_of_gdp": SHARE,
                         "adj_capital_share_of_gdp": SHARE,
                         "adj_intermediate_share_of_gdp": SHARE,
                         "unmapped_share": SHARE},
                 rules=(SqlRule(
                     "every year of the window has GDP",
                     "SELECT trade_year FROM indicators.ind_gdp_shares WHERE gdp_usd IS NULL",
                     "no year without GDP"),
                        SqlRule(
                     "import value with no SNA class stays under the threshold",
                     "SELECT trade_year, unmapped_share FROM indicators.ind_gdp_shares "
                     "WHERE unmapped_share > " + os.environ.get(
                         "CHOKEPOINT_MAX_UNMAPPED_SHARE", "0.05"),
                     "unmapped share <= CHOKEPOINT_MAX_UNMAPPED_SHARE (0.05)", "warn"))),
    _table_suite("ind_batch_index", "indicators", ["batch", "frequency", "period"],
                 ranges={"index_value": (0, None)}),
    _table_suite("ind_trade_growth", "indicators", ["trade_year"],
                 ranges={"exports_usd": (0, None), "imports_usd": (0, None)}),
    _table_suite("ind_hs6_world_share", "indicators", ["trade_year", "hs6"],
                 ranges={"china_world_export_share": SHARE, "china_exports_usd": (0, None),
                         "world_exports_usd": (0, None)},
                 sets={"origin": ORIGINS}),
    _table_suite("ind_mic25_import_dependence", "indicators", ["sector_id", "trade_year"],
                 ranges={"dependent_share": SHARE},
                 sets={"import_dependence_rating": ["strong", "mixed", "weak"]}),
    _table_suite("ind_mic25_export_share", "indicators", ["sector_id", "trade_year"],
                 ranges={"china_world_export_share": SHARE, "dominance_share": SHARE}),
    _table_suite("ind_mic25_scorecard", "indicators", ["sector_id", "trade_year"],
                 sets={"import_dependence_rating": ["strong", "mixed", "weak", "n/a"]}),
    _table_suite("ind_hs4_vulnerability", "indicators", ["trade_year", "hs4"],
                 ranges={"oecd_import_share": SHARE, "import_export_ratio": (0, None)}),
]


CUSTOMS_COLUMNS = ["period_month", "flow", "partner_code", "hs8", "value_native",
                   "currency", "source_file", "file_sha256", "origin"]

SUITES = [
    Suite(
        name="customs_monthly_trade",
        asset_key=CUSTOMS_KEY,
        read=_read("raw.customs_monthly_trade",
                   "period_month, flow, partner_code, hs8, regime_code, location_code, "
                   "value_native, qty1, currency, source_file, file_sha256, origin",
                   "period_month", "month"),
        expectations=[
            _columns(CUSTOMS_COLUMNS),
            # no partner_code check: a commodity-grain file has none (the parser refuses
            # an empty code where the file has the column)
            _not_null("period_month"), _not_null("hs8"),
            _regex("hs8", r"^\d{8}$"),
            _regex("period_month", r"^\d{4}-(0[1-9]|1[0-2])$"),
            _in_set("flow", ["import", "export"]),
            _in_set("currency", ["CNY", "USD"]),
            _range("value_native", low=0),
            _range("qty1", low=0),
            _unique(["period_month", "flow", "partner_code", "hs8", "regime_code",
                     "location_code"]),
        ],
        rules=(
            SqlRule(
                "each loaded file's total equals what was stored from it",
                """SELECT l.file_name, l.total_value_native AS file_total,
                          sum(v.value_native) AS stored_total
                   FROM raw.customs_load_log l
                   LEFT JOIN raw.customs_trade_vintages v USING (file_sha256)
                   GROUP BY l.file_name, l.total_value_native
                   HAVING abs(coalesce(sum(v.value_native), 0) - l.total_value_native)
                          > 1e-6 * greatest(abs(l.total_value_native), 1)""",
                "relative difference <= 1e-6",
            ),
            _freshness_rule(),
            _volume_rule(),
        ),
        partitioned=True,
    ),
    Suite(
        name="comtrade_annual_flows",
        asset_key=COMTRADE_KEY,
        read=_read("raw.comtrade_annual_flows",
                   "year, reporter_code, partner_code, flow, hs6, classification_code, "
                   "primary_value_usd, origin", "year", "year",
                   chunk_by="year * 100000 + reporter_code"),
        expectations=[
            _not_null("year"), _not_null("reporter_code"), _not_null("hs6"),
            _in_set("flow", ["import", "export"]),
            _regex("hs6", r"^(\d{6}|TOTAL)$"),
            _in_set("classification_code", ["H0", "H1", "H2", "H3", "H4", "H5", "H6"]),
            _in_set("origin", ["real", "synthetic"]),
            _range("primary_value_usd", low=0),
            _unique(["year", "reporter_code", "partner_code", "flow", "hs6",
                     "classification_code"]),
        ],
        partitioned=True,
    ),
    Suite(
        name="gdp_annual",
        asset_key=GDP_KEY,
        read=_read("raw.gdp_annual", "year, iso3, gdp_usd, vintage", "year", "year"),
        expectations=[
            _not_null("gdp_usd"), _not_null("vintage"),
            _range("gdp_usd", low=0, severity="error"),
            _unique(["year", "iso3"]),
        ],
        rules=(
            SqlRule("China has GDP for every year of the run",
                    "SELECT y AS year FROM (SELECT unnest(?) AS y) WHERE y NOT IN "
                    "(SELECT year FROM raw.gdp_annual WHERE iso3 = 'CHN')",
                    "no missing year"),
        ),
        partitioned=True,
    ),
    Suite(
        name="fx_monthly",
        asset_key=FX_KEY,
        read=_read("raw.fx_monthly", "month, country, cny_per_usd"),
        expectations=[
            _not_null("cny_per_usd"),
            _range("cny_per_usd", low=0.5, high=20),
            _unique(["month", "country"]),
            _regex("month", r"^\d{4}-(0[1-9]|1[0-2])$"),
        ],
    ),
    Suite(
        name="fct_tech_group_monthly",
        asset_key=dg.AssetKey(["fct_tech_group_monthly"]),
        read=_read("marts.fct_tech_group_monthly",
                   "group_id, batch, period_month, imports_usd, rolling_12m_share_of_gdp, "
                   "n_hs8_reporting, origin, output_category"),
        expectations=[
            _not_null("group_id"), _not_null("period_month"),
            _range("imports_usd", low=0),
            _range("rolling_12m_share_of_gdp", low=0, high=1),
            _range("n_hs8_reporting", low=0),
            _unique(["batch", "group_id", "period_month"]),
            _in_set("origin", ["real", "synthetic", "mixed"]),
            _in_set("output_category", ["semiconductor intermediate", "semiconductor capital",
                                        "other intermediate", "other capital",
                                        "consumption (Medicaments)"]),
        ],
        rules=(
            SqlRule(
                "the technology panel never exceeds total imports for the month",
                """SELECT p.batch, p.period_month, sum(p.imports_usd) AS panel_usd,
                          max(t.value_usd) AS total_imports_usd
                   FROM marts.fct_tech_group_monthly p
                   JOIN marts.fct_customs_monthly t
                     ON t.period_month = p.period_month AND t.flow = 'import'
                   GROUP BY p.batch, p.period_month
                   HAVING sum(p.imports_usd) > max(t.value_usd) * (1 + 1e-9)""",
                "panel <= total imports",
            ),
        ),
    ),
    Suite(
        name="ind_group_patterns",
        asset_key=dg.AssetKey(["ind_group_patterns"]),
        read=_read("indicators.ind_group_patterns",
                   "batch, group_id, v, g, volatility_tier, pattern"),
        expectations=[
            _range("v", low=0),
            _unique(["batch", "group_id"]),
            _in_set("pattern", ["stockpiling or policy disturbance", "no discernable effect",
                                "successful import substitution", "undefined"]),
            _in_set("volatility_tier", ["high", "medium", "low"]),
        ],
    ),
]


REFERENCE_SUITE = Suite(
    name="tech_batches",
    asset_key=dg.AssetKey(["raw_ref", "tech_batches"]),
    read=_read("raw_ref.tech_batches", "batch, hs8, group_id, valid_from, valid_to"),
    expectations=[
        _regex("hs8", r"^\d{8}$"), _not_null("group_id"), _range("group_id", 1, 17),
        _unique(["batch", "hs8", "valid_from"]),
    ],
    rules=(
        SqlRule(
            "every code's first six digits exist in the HS revision in force when it is valid",
            """WITH rev AS (
                   SELECT 'HS2012' AS r, '2015-01' AS f, '2016-12' AS t
                   UNION ALL SELECT 'HS2017', '2017-01', '2021-12'
                   UNION ALL SELECT 'HS2022', '2022-01', '9999-12'),
               codes AS (
                   SELECT DISTINCT 'HS2012' AS r, hs4_6d AS c FROM raw_ref.hs2017_to_hs2012
                   UNION ALL SELECT DISTINCT 'HS2017', hs5_6d FROM raw_ref.hs2017_to_hs2012
                   UNION ALL SELECT DISTINCT 'HS2022', hs6_6d FROM raw_ref.hs2022_to_hs2017)
               SELECT b.source_file, b.hs8, b.valid_from, b.valid_to, rev.r AS revision
               FROM raw_ref.tech_batches b
               JOIN rev ON b.valid_from <= rev.t AND coalesce(b.valid_to, '9999-12') >= rev.f
               LEFT JOIN codes ON codes.r = rev.r AND codes.c = substr(b.hs8, 1, 6)
               WHERE codes.c IS NULL""",
            "no code outside its revision's nomenclature",
        ),
        SqlRule(
            "no code sits in two groups of the same batch",
            """SELECT batch, hs8, list(DISTINCT group_id) AS groups FROM raw_ref.tech_batches
               GROUP BY batch, hs8 HAVING count(DISTINCT group_id) > 1""",
            "one group per code and batch",
        ),
    ),
)

SUITES += TABLE_SUITES
SUITES.append(REFERENCE_SUITE)


def _rule_outcome(con, rule: SqlRule, context, kind: str) -> ge_runner.ExpectationOutcome:
    sql = rule.sql() if callable(rule.sql) else rule.sql
    params = [run_partition_keys(context, kind)] if "?" in sql else []
    offending = con.execute(sql, params).df()
    return ge_runner.ExpectationOutcome(
        expectation=Expectation(f"SQL: {rule.name}", {"threshold": rule.threshold},
                                rule.severity),
        success=offending.empty,
        observed=f"{len(offending)} offending rows",
        unexpected_count=len(offending),
        offending=offending.head(5).to_dict("records"),
    )


def _metadata(outcome: ge_runner.SuiteOutcome, report_path) -> dict:
    lines = ["| expectation | severity | result | observed | threshold | offending |",
             "|---|---|---|---|---|---|"]
    for o in outcome.outcomes:
        args = {k: v for k, v in o.expectation.kwargs.items() if k not in ("column",)}
        lines.append(
            f"| {o.expectation.label} | {o.expectation.severity} | "
            f"{'pass' if o.success else 'FAIL'} | {str(o.observed)[:60]} | "
            f"{str(args)[:80]} | {str(o.offending[:3])[:120] if not o.success else ''} |"
        )
    return {
        "rows_validated": dg.MetadataValue.int(outcome.rows),
        "failed_expectations": dg.MetadataValue.json(
            [o.expectation.label for o in outcome.failed]),
        "results": dg.MetadataValue.md("\n".join(lines)),
        "report": dg.MetadataValue.path(str(report_path)),
    }


def _build_check(suite: Suite) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=suite.asset_key,
        name=f"ge_{suite.name}",
        blocking=True,
        description=f"Great Expectations suite '{suite.name}' (error-severity failures "
                    "block downstream assets).",
    )
    def _check(context: dg.AssetCheckExecutionContext,
               warehouse: WarehouseResource) -> dg.AssetCheckResult:
        settings = Settings.from_env()
        expectations = list(suite.expectations)
        if suite.partitioned:
            column, kind = (("period_month", "month") if suite.asset_key == CUSTOMS_KEY
                            else ("year", "year"))
            expectations.append(_in_run_partitions(column, kind)(context))
        with warehouse.connect() as con:
            outcome = ge_runner.merge([
                ge_runner.validate(df, suite.name, expectations)
                for df in suite.read(con, context)])
            kind = "month" if suite.asset_key == CUSTOMS_KEY else "year"
            outcome.outcomes.extend(_rule_outcome(con, r, context, kind) for r in suite.rules)
        report = ge_runner.store(outcome, settings.quality_dir, context.run.run_id)
        severity = (dg.AssetCheckSeverity.ERROR if outcome.failed_errors
                    else dg.AssetCheckSeverity.WARN)
        if outcome.failed:
            context.log.warning(
                f"{suite.name}: failed " + "; ".join(
                    f"{o.expectation.label} observed={o.observed} offending={o.offending[:3]}"
                    for o in outcome.failed)
            )
        return dg.AssetCheckResult(
            passed=not outcome.failed, severity=severity,
            metadata=_metadata(outcome, report),
        )

    return _check


GE_CHECKS = [_build_check(s) for s in SUITES]
