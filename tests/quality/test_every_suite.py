"""Every suite passes on the bundled run's real tables, and each of its expectations
fails on a copy crafted to break exactly that expectation."""

import duckdb
import numpy as np
import pandas as pd
import pytest

from orchestration.defs.quality import checks
from orchestration.lib.quality import ge_runner


class _Context:
    """Checks read the run's partitions from its tags: the session's window."""

    def __init__(self, kind: str):
        start, end = ("2018-01-01", "2019-12-01") if kind == "month" else ("2018", "2019")
        self.run = type("Run", (), {"tags": {
            "dagster/asset_partition_range_start": start,
            "dagster/asset_partition_range_end": end}})()


def _break(df: pd.DataFrame, exp: ge_runner.Expectation) -> pd.DataFrame:
    bad = df.copy()
    col = exp.kwargs.get("column")
    if exp.kind == "ExpectColumnValuesToNotBeNull":
        bad[col] = bad[col].astype(object)
        bad.loc[bad.index[0], col] = None
    elif exp.kind == "ExpectColumnValuesToBeInSet":
        bad[col] = bad[col].astype(object)
        bad.loc[bad.index[0], col] = "not-an-allowed-value"
    elif exp.kind == "ExpectColumnValuesToMatchRegex":
        bad[col] = bad[col].astype(object)
        bad.loc[bad.index[0], col] = "??"
    elif exp.kind == "ExpectColumnValuesToBeBetween":
        bad[col] = bad[col].astype(float)
        low, high = exp.kwargs.get("min_value"), exp.kwargs.get("max_value")
        bad.loc[bad.index[0], col] = (low - 1) if low is not None else (high + 1)
    elif exp.kind in ("ExpectColumnValuesToBeUnique", "ExpectCompoundColumnsToBeUnique"):
        bad = pd.concat([bad, bad.iloc[[0]]], ignore_index=True)
    elif exp.kind == "ExpectTableColumnsToMatchSet":
        bad = bad.drop(columns=[sorted(exp.kwargs["column_set"])[0]])
    else:
        raise AssertionError(f"no breaker for {exp.kind}")
    return bad


@pytest.mark.parametrize("suite", checks.SUITES, ids=[s.name for s in checks.SUITES])
def test_suite_passes_then_each_expectation_fails(first_run, suite):
    settings, _ = first_run
    kind = "month" if suite.asset_key == checks.CUSTOMS_KEY else "year"
    context = _Context(kind)
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        df = con.execute(suite.read(con, context)).df()
    finally:
        con.close()
    assert len(df) > 0, suite.name
    expectations = list(suite.expectations)
    if suite.partitioned:
        column = "period_month" if kind == "month" else "year"
        expectations.append(checks._in_run_partitions(column, kind)(context))
    # the session's later tests add a duplicated key in 2019-06 on purpose: leave it out
    if "period_month" in df.columns and suite.asset_key == checks.CUSTOMS_KEY:
        df = df.drop_duplicates(["period_month", "flow", "partner_code", "hs8",
                                 "regime_code", "location_code"])
    passing = ge_runner.validate(df, suite.name, expectations)
    assert not passing.failed, [(o.expectation.label, o.observed) for o in passing.failed]
    for exp in expectations:
        sample = df.sample(n=min(len(df), 2000), random_state=np.random.RandomState(0))
        out = ge_runner.validate(_break(sample, exp), suite.name, [exp]).outcomes[0]
        assert not out.success, (suite.name, exp.label)
