"""Great Expectations suites as blocking Dagster asset checks.

Each check selects only the slice just materialized (the run's partitions) or the columns
it needs, has GE's SQL engine validate that query inside DuckDB (ge_runner), and adds
reconciliation rules that need the whole table as SQL run inside DuckDB. A failed
error-severity expectation fails the check with ERROR severity, which blocks everything
downstream; warning-severity failures are reported and block nothing. The metadata names
each expectation, its observed value and threshold, and a few offending rows.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import dagster as dg

from orchestration.defs.comtrade.assets import COMTRADE_KEY
from orchestration.defs.customs.assets import CUSTOMS_KEY
from orchestration.defs.gdp.assets import FX_KEY, GDP_KEY
from orchestration.defs.keys import table_key
from orchestration.defs.partitions import annual_partitions, monthly_partitions
from orchestration.defs.resources import WarehouseResource
from orchestration.lib.quality import ge_runner
from orchestration.lib.quality.ge_runner import Expectation
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
    read: Callable  # (connection, context) -> SELECT of the slice to validate
    expectations: list[Expectation]
    rules: tuple[SqlRule, ...] = ()
    partitioned: bool = False
    # columns that locate an offending row for the reader (month, code, file, line)
    id_columns: tuple[str, ...] = ()


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


def _sql_literal(value) -> str:
    return str(int(value)) if isinstance(value, int) else "'" + str(value).replace("'", "''") + "'"


def _read(table: str, columns: str, part_column: str | None = None, kind: str = "month"):
    """The run's slice as one SELECT, validated by GE inside DuckDB (ge_runner): no chunks,
    since no row leaves the database. The partitions are written into the query (GE's
    query asset takes no parameters); they are Dagster partition keys, months or years."""

    def read(con, context) -> str:
        del con  # the slice is a query over the connection the validation runs on
        if not part_column:
            return f"SELECT {columns} FROM {table}"
        values = run_partition_keys(context, kind)
        if not values:
            return f"SELECT {columns} FROM {table}"
        listed = ", ".join(_sql_literal(v) for v in values)
        return f"SELECT {columns} FROM {table} WHERE list_contains([{listed}], {part_column})"

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


def freshness_as_of() -> date | None:
    """The clock is a bound the user sets (CHOKEPOINT_FRESHNESS_AS_OF = today or a date):
    without it, a data folder is judged by what its runs asked for, not by the day it is
    opened, so a folder of past months (or the synthetic set) never reads as stale."""
    value = os.environ.get("CHOKEPOINT_FRESHNESS_AS_OF", "").strip().lower()
    if not value:
        return None
    return date.today() if value == "today" else date.fromisoformat(value)


def _freshness_rule() -> SqlRule:
    def sql() -> str:
        as_of = freshness_as_of()
        if as_of is None:
            return "SELECT 1 WHERE false"
        oldest = oldest_allowed_month(as_of)
        return ("SELECT max(period_month) AS latest_month, "
                f"'{oldest}' AS oldest_allowed, '{as_of}' AS as_of "
                f"FROM raw.customs_monthly_trade HAVING max(period_month) < '{oldest}'")

    return SqlRule(
        "freshness: the newest month is as recent as GACC's release calendar allows on the "
        "CHOKEPOINT_FRESHNESS_AS_OF date",
        sql,
        "newest month >= the month released by that date, minus one month of grace; "
        "not evaluated when CHOKEPOINT_FRESHNESS_AS_OF is unset",
        _severity("freshness", "warn"),
    )


def _empty_months_rule() -> SqlRule:
    return SqlRule(
        "every month the run asked for holds rows: an empty month is a download gap or a "
        "release not out yet, never a month of zero trade",
        "SELECT m AS period_month FROM (SELECT unnest(?) AS m) "
        "WHERE m NOT IN (SELECT DISTINCT period_month FROM raw.customs_monthly_trade)",
        "no month of the run without rows",
        _severity("empty_months", "warn"),
    )


def _volume_rule() -> SqlRule:
    low, high = _volume_band()
    return SqlRule(
        "volume: each month's rows and USD value against the median of the 12 months before",
        # in USD: files of one series may come in RMB for some years and USD for others
        f"""WITH m AS (
                SELECT t.period_month, t.flow, count(*) AS n,
                       sum(CASE WHEN t.currency = 'USD' THEN t.value_native
                                ELSE t.value_native / fx.cny_per_usd END) AS v
                FROM raw.customs_monthly_trade t
                LEFT JOIN raw.fx_monthly fx
                  ON fx.month = t.period_month AND fx.country = 'China'
                GROUP BY ALL),
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
        f"rows and USD value within [{low}, {high}] x the trailing median",
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
    return Suite(name=model, asset_key=dg.AssetKey([schema, model]),
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
                   "value_native, qty1, currency, source_file, line_no, file_sha256, origin",
                   "period_month", "month"),
        id_columns=("period_month", "flow", "hs8", "partner_code", "source_file", "line_no"),
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
                   WHERE l.reverted_at IS NULL
                   GROUP BY l.file_name, l.total_value_native
                   HAVING abs(coalesce(sum(v.value_native), 0) - l.total_value_native)
                          > 1e-6 * greatest(abs(l.total_value_native), 1)""",
                "relative difference <= 1e-6",
            ),
            _freshness_rule(),
            _empty_months_rule(),
            _volume_rule(),
        ),
        partitioned=True,
    ),
    Suite(
        name="comtrade_annual_flows",
        asset_key=COMTRADE_KEY,
        read=_read("raw.comtrade_annual_flows",
                   "year, reporter_code, partner_code, flow, hs6, cmd_level, "
                   "classification_code, primary_value_usd, origin, source", "year", "year"),
        id_columns=("year", "reporter_code", "partner_code", "flow", "hs6", "source"),
        expectations=[
            _not_null("year"), _not_null("reporter_code"), _not_null("hs6"),
            _in_set("flow", ["import", "export"]),
            _regex("hs6", r"^(\d{6}|\d{4}|\d{2}|TOTAL)$"),
            _in_set("cmd_level", ["HS6", "HS4", "HS2", "TOTAL"]),
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
        read=_read("raw.gdp_annual", "year, iso3, gdp_usd, vintage, source", "year", "year"),
        id_columns=("year", "iso3", "source"),
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
        asset_key=table_key("fct_tech_group_monthly"),
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
        asset_key=table_key("ind_group_patterns"),
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
        offending=offending.head(10).to_dict("records"),
    )


def _cell(value) -> str:
    """A markdown table cell: whole, with pipes escaped so a regex cannot break the row."""
    return str(value).replace("|", "\\|").replace("\n", " ")


def _offending_table(rows: list) -> str:
    if not rows:
        return ""
    if not isinstance(rows[0], dict):
        return "offending values: " + ", ".join(_cell(v) for v in rows)
    columns = list(dict.fromkeys(c for row in rows for c in row))
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(row.get(c, "")) for c in columns) + " |"
              for row in rows]
    return "\n".join(lines)


def _partition_summary(con, suite: Suite, context) -> str:
    """Per partition of the run: rows (and files) the check looked at."""
    if not suite.partitioned or suite.asset_key != CUSTOMS_KEY:
        return ""
    months = run_partition_keys(context, "month")
    summary = con.execute(
        "SELECT m AS period_month, count(t.hs8) AS rows, count(DISTINCT t.source_file) "
        "AS files FROM (SELECT unnest(?) AS m) LEFT JOIN raw.customs_monthly_trade t "
        "ON t.period_month = m GROUP BY m ORDER BY m", [months]).fetchall()
    lines = ["| month | rows | files |", "|---|---|---|"]
    lines += [f"| {m} | {n:,} | {f} |" for m, n, f in summary]
    return "\n".join(lines)


def _metadata(outcome: ge_runner.SuiteOutcome, report_path, partitions: str) -> dict:
    lines = ["| rule | severity | result | observed |", "|---|---|---|---|"]
    for o in outcome.outcomes:
        lines.append(f"| {_cell(o.expectation.rule)} | {o.expectation.severity} | "
                     f"{'pass' if o.success else 'FAIL'} | "
                     f"{_cell(o.observed_text if not o.success else '')} |")
    metadata = {
        "rows_validated": dg.MetadataValue.int(outcome.rows),
        "rules": dg.MetadataValue.md("\n".join(lines)),
        "failed_rules": dg.MetadataValue.json([o.expectation.rule for o in outcome.failed]),
        "report": dg.MetadataValue.path(str(report_path)),
        # served by `chokepoint ui` / `chokepoint docs` (docs_server.py)
        "quality_report": dg.MetadataValue.url(
            Settings.from_env().docs_url("quality/index.html")),
    }
    for i, o in enumerate(outcome.failed[:5], start=1):
        metadata[f"failed_{i}"] = dg.MetadataValue.md(
            f"**{_cell(o.expectation.rule)}** ({o.expectation.severity}): "
            f"{o.observed_text}\n\n{_offending_table(o.offending)}")
    if partitions:
        metadata["partitions"] = dg.MetadataValue.md(partitions)
    return metadata


def _describe(outcome: ge_runner.SuiteOutcome) -> str:
    if not outcome.failed:
        return f"all {len(outcome.outcomes)} rules pass on {outcome.rows:,} rows"
    first = outcome.failed[0]
    where = ""
    if first.offending and isinstance(first.offending[0], dict):
        row = first.offending[0]
        if "source_file" in row:
            where = f"; first at {row['source_file']} line {row.get('line_no')}"
        else:
            where = "; first: " + ", ".join(f"{k}={v}" for k, v in list(row.items())[:6])
    more = f" (and {len(outcome.failed) - 1} more)" if len(outcome.failed) > 1 else ""
    return f"{first.expectation.rule}: {first.observed_text}{where}{more}"


def evaluate(suite: Suite, con, context) -> tuple[ge_runner.SuiteOutcome, str]:
    """Run a suite on what ``con`` sees now: inside a write's open transaction, that is
    the staged data before it is published. Returns the outcome and the per-partition
    summary."""
    expectations = list(suite.expectations)
    kind = "month" if suite.asset_key == CUSTOMS_KEY else "year"
    if suite.partitioned:
        column = "period_month" if kind == "month" else "year"
        expectations.append(_in_run_partitions(column, kind)(context))
    outcome = ge_runner.validate(suite.read(con, context), suite.name, expectations,
                                 suite.id_columns, con=con)
    outcome.outcomes.extend(_rule_outcome(con, r, context, kind) for r in suite.rules)
    return outcome, _partition_summary(con, suite, context)


def check_result(suite: Suite, outcome: ge_runner.SuiteOutcome, partitions: str,
                 context) -> dg.AssetCheckResult:
    """The suite's outcome as the asset check's result, stored as JSON for the report."""
    report = ge_runner.store(outcome, Settings.from_env().quality_dir, context.run.run_id)
    severity = (dg.AssetCheckSeverity.ERROR if outcome.failed_errors
                else dg.AssetCheckSeverity.WARN)
    if outcome.failed:
        context.log.warning(f"{suite.name}: {_describe(outcome)}")
    return dg.AssetCheckResult(
        asset_key=suite.asset_key, check_name=f"ge_{suite.name}",
        passed=not outcome.failed, severity=severity, description=_describe(outcome),
        metadata=_metadata(outcome, report, partitions),
    )


def _build_check(suite: Suite) -> dg.AssetChecksDefinition:
    # the op is named once (ge_<suite>), not "<asset>_ge_<suite>" as @asset_check would
    @dg.multi_asset_check(
        name=f"ge_{suite.name}",
        specs=[dg.AssetCheckSpec(
            name=f"ge_{suite.name}", asset=suite.asset_key, blocking=True,
            description=suite_description(suite))],
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        with warehouse.connect() as con:
            outcome, partitions = evaluate(suite, con, context)
        yield check_result(suite, outcome, partitions, context)

    return _check


def suite_description(suite: Suite) -> str:
    """One line: what the suite checks (its first rules) and that a failure blocks."""
    labels = [e.label for e in suite.expectations] + [r.name for r in suite.rules]
    shown = ", ".join(labels[:3]) + (f" and {len(labels) - 3} more" if len(labels) > 3 else "")
    return (f"Great Expectations suite {suite.name}: {shown}; an error-severity failure "
            "blocks the assets downstream.")


SUITES_BY_NAME = {s.name: s for s in SUITES}
# Ingested sources audit their staged rows inside their own asset (quality/audit.py);
# the suites of the other tables run as checks after the table is built.
AUDITED_IN_ASSET = {"customs_monthly_trade", "comtrade_annual_flows", "gdp_annual",
                    "fx_monthly"}
GE_CHECKS = [_build_check(s) for s in SUITES if s.name not in AUDITED_IN_ASSET]
