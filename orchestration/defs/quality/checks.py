"""The Dagster side of the Great Expectations suites: run a suite, report its result.

The suites themselves are data beside their source (``defs/<source>/checks.py``); each
registers here so the write audit (audit.py) finds it by name. A check selects only the
slice just materialized (the run's partitions), has GE's SQL engine validate that query
inside DuckDB (lib/quality/ge_runner.py), and runs the suite's SQL rules there too. A
failed error-severity rule fails the check with ERROR severity, which blocks everything
downstream; warning-severity failures are reported and block nothing. The metadata names
each rule, its observed value and threshold, and a few offending rows.
"""

import dagster as dg

from orchestration.defs.partitions import annual_partitions, monthly_partitions
from orchestration.defs.resources import WarehouseResource
from orchestration.lib.quality import ge_runner
from orchestration.lib.quality.expectations import in_set
from orchestration.lib.quality.ge_runner import Expectation
from orchestration.lib.quality.suite import SqlRule, Suite
from orchestration.settings import Settings, get_settings

SUITES_BY_NAME: dict[str, Suite] = {}


def register(*suites: Suite) -> tuple[Suite, ...]:
    """Make suites known to the write audit by name; returns them."""
    for suite in suites:
        SUITES_BY_NAME[suite.name] = suite
    return suites


def asset_key(suite: Suite) -> dg.AssetKey:
    """The suite's asset: its table's schema and name, as every table asset is keyed."""
    return dg.AssetKey(suite.table.split("."))


def severity_setting(name: str, default: str) -> str:
    """Which checks block is a setting: CHOKEPOINT_<NAME>_SEVERITY = error | warn."""
    value = getattr(get_settings().quality, f"{name}_severity", default)
    return "error" if value == "error" else "warn"


def run_partition_keys(context, kind: str) -> list:
    """The partitions the run materialized, read from its tags.

    Checks run beside the asset in the same run: one key, or a single-run range.
    """
    tags = context.run.tags
    partitions = monthly_partitions if kind == "month" else annual_partitions
    if "dagster/partition" in tags:
        keys = [tags["dagster/partition"]]
    elif "dagster/asset_partition_range_start" in tags:
        keys = partitions.get_partition_keys_in_range(
            dg.PartitionKeyRange(
                tags["dagster/asset_partition_range_start"],
                tags["dagster/asset_partition_range_end"],
            )
        )
    else:
        return []
    return [k[:7] for k in keys] if kind == "month" else [int(k) for k in keys]


def expectations_for_run(suite: Suite, keys: list) -> list[Expectation]:
    """The suite's expectations, plus (partitioned) 'no row outside the run's partitions'."""
    expectations = list(suite.expectations)
    if suite.partitioned:
        expectations.append(in_set(suite.partition_column, keys))
    return expectations


def rule_outcome(con, rule: SqlRule, keys: list) -> ge_runner.ExpectationOutcome:
    """Evaluate one SQL rule: its offending rows, at most ten shown."""
    offending = con.execute(rule.sql, rule.parameters(keys)).df()
    return ge_runner.ExpectationOutcome(
        expectation=Expectation(f"SQL: {rule.name}", {"threshold": rule.threshold}, rule.severity),
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
    lines += ["| " + " | ".join(_cell(row.get(c, "")) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def _partition_summary(con, suite: Suite, keys: list) -> str:
    """Per partition of the run: rows (and files) the check looked at."""
    if not suite.summary_sql:
        return ""
    cursor = con.execute(suite.summary_sql, {"months": keys})
    names = [d[0] for d in cursor.description]
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    lines += [
        "| " + " | ".join(f"{v:,}" if isinstance(v, int) else str(v) for v in row) + " |"
        for row in cursor.fetchall()
    ]
    return "\n".join(lines)


def metadata(outcome: ge_runner.SuiteOutcome, report_path, partitions: str) -> dict:
    """The check's metadata: every rule with its result, the first failures with rows."""
    lines = ["| rule | severity | result | observed |", "|---|---|---|---|"]
    for o in outcome.outcomes:
        lines.append(
            f"| {_cell(o.expectation.rule)} | {o.expectation.severity} | "
            f"{'pass' if o.success else 'FAIL'} | "
            f"{_cell(o.observed_text if not o.success else '')} |"
        )
    meta = {
        "rows_validated": dg.MetadataValue.int(outcome.rows),
        "rules": dg.MetadataValue.md("\n".join(lines)),
        "failed_rules": dg.MetadataValue.json([o.expectation.rule for o in outcome.failed]),
        "report": dg.MetadataValue.path(str(report_path)),
        # served by `chokepoint ui` / `chokepoint docs` (docs_server.py)
        "quality_report": dg.MetadataValue.url(Settings.from_env().docs_url("quality/index.html")),
    }
    for i, o in enumerate(outcome.failed[:5], start=1):
        meta[f"failed_{i}"] = dg.MetadataValue.md(
            f"**{_cell(o.expectation.rule)}** ({o.expectation.severity}): "
            f"{o.observed_text}\n\n{_offending_table(o.offending)}"
        )
    if partitions:
        meta["partitions"] = dg.MetadataValue.md(partitions)
    return meta


def _where(row) -> str:
    if not isinstance(row, dict):
        return ""
    if "source_file" in row:
        return f"; first at {row['source_file']} line {row.get('line_no')}"
    return "; first: " + ", ".join(f"{k}={v}" for k, v in list(row.items())[:6])


def describe(outcome: ge_runner.SuiteOutcome) -> str:
    """One line: all pass, or the first failed rule with its first offending row."""
    if not outcome.failed:
        return f"all {len(outcome.outcomes)} rules pass on {outcome.rows:,} rows"
    first = outcome.failed[0]
    where = _where(first.offending[0]) if first.offending else ""
    more = f" (and {len(outcome.failed) - 1} more)" if len(outcome.failed) > 1 else ""
    return f"{first.expectation.rule}: {first.observed_text}{where}{more}"


def evaluate(suite: Suite, con, context) -> tuple[ge_runner.SuiteOutcome, str]:
    """Run a suite on what ``con`` sees now.

    Inside a write's open transaction, that is the staged data before it is published.
    Returns the outcome and the per-partition summary.
    """
    # an unpartitioned table may be built in a run of another partitioning: read no keys
    keys = run_partition_keys(context, suite.partition_kind) if suite.partitioned else []
    outcome = ge_runner.validate(
        suite.select(keys), suite.name, expectations_for_run(suite, keys), suite.id_columns, con=con
    )
    outcome.outcomes.extend(rule_outcome(con, r, keys) for r in suite.rules)
    return outcome, _partition_summary(con, suite, keys)


def check_result(
    suite: Suite, outcome: ge_runner.SuiteOutcome, partitions: str, context
) -> dg.AssetCheckResult:
    """The suite's outcome as the asset check's result, stored as JSON for the report."""
    report = ge_runner.store(outcome, Settings.from_env().quality_dir, context.run.run_id)
    severity = dg.AssetCheckSeverity.ERROR if outcome.failed_errors else dg.AssetCheckSeverity.WARN
    if outcome.failed:
        context.log.warning(f"{suite.name}: {describe(outcome)}")
    return dg.AssetCheckResult(
        asset_key=asset_key(suite),
        check_name=f"ge_{suite.name}",
        passed=not outcome.failed,
        severity=severity,
        description=describe(outcome),
        metadata=metadata(outcome, report, partitions),
    )


def suite_description(suite: Suite) -> str:
    """One line: what the suite checks (its first rules) and that a failure blocks."""
    labels = suite.labels()
    shown = ", ".join(labels[:3]) + (f" and {len(labels) - 3} more" if len(labels) > 3 else "")
    return (
        f"Great Expectations suite {suite.name}: {shown}; an error-severity failure "
        "blocks the assets downstream."
    )


def build_check(suite: Suite) -> dg.AssetChecksDefinition:
    """A blocking check that runs the suite after its table is built (not an audit)."""
    register(suite)

    # the op is named once (ge_<suite>), not "<asset>_ge_<suite>" as @asset_check would
    @dg.multi_asset_check(
        name=f"ge_{suite.name}",
        specs=[
            dg.AssetCheckSpec(
                name=f"ge_{suite.name}",
                asset=asset_key(suite),
                blocking=True,
                description=suite_description(suite),
            )
        ],
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        with warehouse.connect() as con:
            outcome, partitions = evaluate(suite, con, context)
        yield check_result(suite, outcome, partitions, context)

    return _check
