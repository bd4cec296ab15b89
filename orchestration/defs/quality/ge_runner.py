"""Great Expectations 1.x, run on a DataFrame of the slice being checked.

GE 1.x has no DuckDB data source, and its SQLAlchemy path on DuckDB fails silently
(every expectation False, no observed value; docs/architecture.md (stack notes:
GE on DuckDB fails silently)), so the slice is read from DuckDB
into pandas and validated through an ephemeral context's pandas data source. GE is
imported lazily: its import costs seconds and most processes never validate.
"""

import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

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
            "ExpectCompoundColumnsToBeUnique":
                lambda: f"one row per ({', '.join(k['column_list'])})",
            "ExpectTableColumnsToMatchSet":
                lambda: f"the table has the columns {', '.join(k['column_set'])}",
        }
        if self.kind == "ExpectColumnValuesToBeBetween":
            low, high = k.get("min_value"), k.get("max_value")
            bounds = [f">= {low}" if low is not None else "", f"<= {high}" if high is not None
                      else ""]
            return f"{column} " + " and ".join(b for b in bounds if b)
        return words[self.kind]() if self.kind in words else self.label


def _short(values: list, limit: int = 8) -> str:
    shown = ", ".join(str(v) for v in values[:limit])
    return f"{{{shown}{', ...' if len(values) > limit else ''}}} ({len(values)} values)"


@dataclass
class ExpectationOutcome:
    expectation: Expectation
    success: bool
    observed: Any = None
    unexpected_count: int | None = None
    offending: list = field(default_factory=list)  # up to ten rows (dicts) or values
    rows: int | None = None  # rows the expectation looked at

    @property
    def observed_text(self) -> str:
        """The observed value with its unit."""
        if self.unexpected_count is not None and self.rows:
            return (f"{self.unexpected_count:,} of {self.rows:,} rows "
                    f"({self.unexpected_count / self.rows:.2%}) break the rule")
        if self.unexpected_count is not None:
            return f"{self.unexpected_count:,} offending rows"
        return "" if self.observed is None else f"observed: {self.observed}"


@dataclass
class SuiteOutcome:
    suite: str
    rows: int
    outcomes: list[ExpectationOutcome]

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]

    @property
    def failed_errors(self) -> list[ExpectationOutcome]:
        return [o for o in self.failed if o.expectation.severity == "error"]

    def to_json(self) -> dict:
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


def validate(df: pd.DataFrame, suite: str, expectations: list[Expectation],
             id_columns: tuple[str, ...] = ()) -> SuiteOutcome:
    """Validate a frame; ``id_columns`` (e.g. source file and line) identify each
    offending row in GE's own result (``unexpected_index_list``)."""
    import great_expectations as gx

    ids = [c for c in id_columns if c in df.columns]
    result_format = {"result_format": "COMPLETE", "partial_unexpected_count": 10}
    if ids:
        result_format["unexpected_index_column_names"] = ids

    ctx = _get_context()
    with _lock:
        name = f"{suite}_{id(df)}"
        source = ctx.data_sources.add_or_update_pandas(name)
        asset = source.add_dataframe_asset(name="frame")
        batch_def = asset.add_batch_definition_whole_dataframe("whole")
        batch = batch_def.get_batch(batch_parameters={"dataframe": df})
        outcomes = []
        for exp in expectations:
            cls = getattr(gx.expectations, exp.kind)
            result = batch.validate(cls(**exp.kwargs), result_format=result_format)
            info = result.result or {}
            offending = info.get("unexpected_index_list") or []
            if not offending or not isinstance(offending[0], dict):
                offending = info.get("partial_unexpected_list") or offending
            outcomes.append(
                ExpectationOutcome(
                    expectation=exp,
                    success=bool(result.success),
                    observed=info.get("observed_value", info.get("unexpected_percent")),
                    unexpected_count=info.get("unexpected_count"),
                    offending=list(offending)[:10],
                    rows=len(df),
                )
            )
        ctx.data_sources.delete(name)
    return SuiteOutcome(suite=suite, rows=len(df), outcomes=outcomes)


def merge(parts: list[SuiteOutcome]) -> SuiteOutcome:
    """One outcome from validations of consecutive chunks of the same slice."""
    if len(parts) == 1:
        return parts[0]
    merged = []
    for i, first in enumerate(parts[0].outcomes):
        same = [p.outcomes[i] for p in parts]
        failing = [o for o in same if not o.success]
        counts = [o.unexpected_count for o in same if o.unexpected_count is not None]
        merged.append(ExpectationOutcome(
            expectation=first.expectation,
            success=not failing,
            observed=(failing[0] if failing else same[-1]).observed,
            unexpected_count=sum(counts) if counts else None,
            offending=[x for o in failing for x in o.offending][:10],
            rows=sum(o.rows or 0 for o in same),
        ))
    return SuiteOutcome(suite=parts[0].suite, rows=sum(p.rows for p in parts),
                        outcomes=merged)


def store(outcome: SuiteOutcome, quality_dir: Path, run_id: str) -> Path:
    """Validation results as JSON under reports/quality/, one file per suite and run."""
    quality_dir.mkdir(parents=True, exist_ok=True)
    path = quality_dir / f"{run_id[:8]}_{outcome.suite}.json"
    payload = {**outcome.to_json(), "run_id": run_id}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, indent=2))
    tmp.replace(path)
    return path
