"""Great Expectations 1.x, evaluated by DuckDB where the data is.

Each slice is a SQL query over the caller's DuckDB connection, validated through GE's
own SQL execution engine (a query asset of an ephemeral context's SQL data source), so
DuckDB evaluates every expectation and only counts and up to ten offending rows come
back to Python. GE 1.24.1 fails silently on DuckDB through duckdb-engine (issue 11579);
ge_duckdb.py says why and holds the shim that makes it work. GE is imported lazily: its
import costs seconds and most processes never validate.
"""

import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from orchestration.lib.atomic import write_text

_lock = threading.Lock()
_context = None


@dataclass(frozen=True)
class Expectation:
    """One expectation: a GE 1.x class name, its arguments, and how much a failure matters."""

    kind: str
    kwargs: dict[str, Any]
    severity: str = "error"  # "error" blocks downstream; "warn" is reported only

    @property
    def label(self) -> str:
        """Short name: the kind and its column(s)."""
        target = self.kwargs.get("column") or self.kwargs.get("column_list") or ""
        return f"{self.kind}({target})" if target else self.kind

    @property
    def rule(self) -> str:
        """The rule in words, as a reader of a failed check needs it."""
        k = self.kwargs
        column = k.get("column")
        if self.kind.startswith("SQL: "):
            return f"{self.kind[5:]} ({k.get('threshold')})"
        words = {
            "ExpectColumnValuesToNotBeNull": lambda: f"{column} is never empty",
            "ExpectColumnValuesToMatchRegex": lambda: f"{column} matches {k['regex']}",
            "ExpectColumnValuesToBeInSet": lambda: f"{column} is one of {_short(k['value_set'])}",
            "ExpectColumnValuesToBeUnique": lambda: f"{column} is unique",
            "ExpectCompoundColumnsToBeUnique": lambda: (
                f"one row per ({', '.join(k['column_list'])})"
            ),
            "ExpectTableColumnsToMatchSet": lambda: (
                f"the table has the columns {', '.join(k['column_set'])}"
            ),
        }
        if self.kind == "ExpectColumnValuesToBeBetween":
            low, high = k.get("min_value"), k.get("max_value")
            bounds = [
                f">= {low}" if low is not None else "",
                f"<= {high}" if high is not None else "",
            ]
            return f"{column} " + " and ".join(b for b in bounds if b)
        return words[self.kind]() if self.kind in words else self.label


def _short(values: list, limit: int = 8) -> str:
    shown = ", ".join(str(v) for v in values[:limit])
    return f"{{{shown}{', ...' if len(values) > limit else ''}}} ({len(values)} values)"


@dataclass
class ExpectationOutcome:
    """What one expectation found: success, the observed value and offending rows."""

    expectation: Expectation
    success: bool
    observed: Any = None
    unexpected_count: int | None = None
    offending: list = field(default_factory=list)  # up to ten rows (dicts) or values
    rows: int | None = None  # rows the expectation looked at
    error: str | None = None  # GE could not evaluate the expectation (and says why)

    @property
    def observed_text(self) -> str:
        """The observed value with its unit."""
        if self.error:
            return f"not evaluated: {self.error.splitlines()[0][:300]}"
        if self.unexpected_count is not None and self.rows:
            return (
                f"{self.unexpected_count:,} of {self.rows:,} rows "
                f"({self.unexpected_count / self.rows:.2%}) break the rule"
            )
        if self.unexpected_count is not None:
            return f"{self.unexpected_count:,} offending rows"
        return "" if self.observed is None else f"observed: {self.observed}"


@dataclass
class SuiteOutcome:
    """A suite's validation: rows looked at and every expectation's outcome."""

    suite: str
    rows: int
    outcomes: list[ExpectationOutcome]

    @property
    def failed(self) -> list[ExpectationOutcome]:
        """The outcomes that failed, whatever their severity."""
        return [o for o in self.outcomes if not o.success]

    @property
    def failed_errors(self) -> list[ExpectationOutcome]:
        """The failed outcomes of error severity (those block)."""
        return [o for o in self.failed if o.expectation.severity == "error"]

    def to_json(self) -> dict:
        """The outcome as the JSON stored under reports/quality/."""
        return {
            "suite": self.suite,
            "rows": self.rows,
            "success": not self.failed,
            "validated_at": datetime.now(UTC).isoformat(),
            "results": [
                {
                    "expectation": o.expectation.kind,
                    "rule": o.expectation.rule,
                    "observed": o.observed_text,
                    "kwargs": _jsonable(o.expectation.kwargs),
                    "severity": o.expectation.severity,
                    "success": o.success,
                    "observed_value": _jsonable(o.observed),
                    "unexpected_count": o.unexpected_count,
                    "offending_examples": _jsonable(o.offending[:10]),
                    "error": o.error,
                }
                for o in self.outcomes
            ],
        }


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _get_context():
    global _context
    with _lock:
        if _context is None:
            import great_expectations as gx
            from great_expectations.data_context.types.base import ProgressBarsConfig

            ctx = gx.get_context(mode="ephemeral")
            ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
            _context = ctx
        return _context


def validate(
    data: str | pd.DataFrame,
    suite: str,
    expectations: list[Expectation],
    id_columns: tuple[str, ...] = (),
    con: duckdb.DuckDBPyConnection | None = None,
) -> SuiteOutcome:
    """Validate ``data`` with GE's SQL engine inside DuckDB.

    ``data`` is a SELECT over ``con`` (the slice to check, seen as ``con`` sees it,
    staged writes included) or a DataFrame (queried in an in-memory DuckDB).
    ``id_columns`` (e.g. source file and line) identify each offending row in GE's own
    result (``partial_unexpected_index_list``).
    """
    import great_expectations as gx

    from orchestration.lib.quality import ge_duckdb

    if isinstance(data, pd.DataFrame):
        con = duckdb.connect()
        con.register("frame", data)
        query = "SELECT * FROM frame"
    elif con is None:
        raise ValueError(f"{suite}: a SQL slice needs the DuckDB connection it runs on")
    else:
        query = data
    columns = [d[0] for d in con.execute(f"SELECT * FROM ({query}) LIMIT 0").description]
    rows = con.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]
    ids = [c for c in id_columns if c in columns]
    # SUMMARY, not COMPLETE: COMPLETE fetches every offending value and row into Python,
    # which a broken file of a million rows would turn back into the pandas cost
    result_format = {"result_format": "SUMMARY", "partial_unexpected_count": 10}
    if ids:
        result_format["unexpected_index_column_names"] = ids

    ctx = _get_context()
    with _lock, ge_duckdb.borrow(con):
        name = f"{suite}_{id(con)}"
        source = ctx.data_sources.add_or_update_sql(
            name, connection_string=ge_duckdb.DRIVER + "://", kwargs=ge_duckdb.engine_kwargs()
        )
        asset = source.add_query_asset(name="slice", query=query)
        batch = asset.add_batch_definition_whole_table("whole").get_batch()
        ge_duckdb.attach(batch.data.execution_engine)
        outcomes = []
        try:
            for exp in expectations:
                cls = getattr(gx.expectations, exp.kind)
                result = batch.validate(cls(**exp.kwargs), result_format=result_format)
                outcome = _outcome(exp, result, rows)
                if ids and not outcome.success and exp.kind == "ExpectCompoundColumnsToBeUnique":
                    outcome.offending = _duplicated_rows(con, query, exp, ids)
                outcomes.append(outcome)
        finally:
            ctx.data_sources.delete(name)
    return SuiteOutcome(suite=suite, rows=rows, outcomes=outcomes)


def _duplicated_rows(con, query: str, exp: Expectation, ids: list[str]) -> list[dict]:
    """Up to ten rows of the duplicated keys, with their file and line.

    GE 1.24.1 gives only the keys for a compound key on SQL (its index query does not
    compile).
    """
    keys = list(exp.kwargs["column_list"])
    shown = ", ".join(f'"{c}"' for c in dict.fromkeys([*ids, *keys]))
    by = ", ".join(f'"{c}"' for c in keys)
    cursor = con.execute(
        f"SELECT {shown} FROM ({query}) QUALIFY count(*) OVER (PARTITION BY {by}) > 1 "
        f"ORDER BY {shown} LIMIT 10"
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _outcome(exp: Expectation, result, rows: int) -> ExpectationOutcome:
    """GE's validation result as the outcome the checks report."""
    info = result.result or {}
    # GE reports a metric it could not compute as success=False with an empty result
    # (exception_info is then keyed by metric): say so, rather than show a failure with
    # no observed value
    exception = result.exception_info or {}
    raised = [exception] if "raised_exception" in exception else list(exception.values())
    errors = [
        e.get("exception_message")
        for e in raised
        if isinstance(e, dict) and e.get("raised_exception")
    ]
    error = errors[0] if errors else None
    offending = info.get("partial_unexpected_index_list") or []
    if not offending or not isinstance(offending[0], dict):
        offending = info.get("partial_unexpected_list") or offending
    return ExpectationOutcome(
        expectation=exp,
        success=bool(result.success),
        observed=info.get("observed_value", info.get("unexpected_percent")),
        unexpected_count=info.get("unexpected_count"),
        offending=list(offending)[:10],
        rows=rows,
        error=error,
    )


def store(outcome: SuiteOutcome, quality_dir: Path, run_id: str) -> Path:
    """Validation results as JSON under reports/quality/, one file per suite and run."""
    quality_dir.mkdir(parents=True, exist_ok=True)
    path = quality_dir / f"{run_id[:8]}_{outcome.suite}.json"
    payload = {**outcome.to_json(), "run_id": run_id}
    write_text(path, json.dumps(payload, indent=2))
    return path
