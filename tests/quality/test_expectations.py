"""Each expectation kind of the suites passes on good input and fails on crafted bad
input, naming the observed value and offending rows; chunked results merge."""

from datetime import date

import duckdb
import pandas as pd
import pytest

from orchestration.defs.quality import checks, ge_runner
from orchestration.defs.quality.ge_runner import Expectation

GOOD = pd.DataFrame({
    "period_month": ["2024-01", "2024-02"], "flow": ["import", "export"],
    "hs8": ["85423100", "84862031"], "partner_code": ["502", "116"],
    "value_native": [10.0, 0.0], "currency": ["CNY", "USD"],
})

CASES = [
    # (expectation, column, bad value)
    (checks._not_null("hs8"), "hs8", None),
    (checks._regex("hs8", r"^\d{8}$"), "hs8", "8542310"),
    (checks._regex("period_month", r"^\d{4}-(0[1-9]|1[0-2])$"), "period_month", "2024-13"),
    (checks._in_set("flow", ["import", "export"]), "flow", "re-export"),
    (checks._in_set("currency", ["CNY", "USD"]), "currency", "EUR"),
    (checks._range("value_native", low=0), "value_native", -5.0),
    (checks._range("value_native", 0, 1), "value_native", 1.5),
]


@pytest.mark.parametrize(("expectation", "column", "bad"), CASES,
                         ids=[c[0].label for c in CASES])
def test_each_kind_passes_then_fails(expectation, column, bad):
    ok = ge_runner.validate(GOOD.assign(value_native=[0.5, 0.0]), "t", [expectation])
    assert ok.outcomes[0].success, ok.outcomes[0]
    broken = GOOD.copy()
    broken.loc[1, column] = bad
    if column == "value_native":
        broken.loc[0, column] = 0.5
    out = ge_runner.validate(broken, "t", [expectation]).outcomes[0]
    assert not out.success
    assert out.unexpected_count == 1
    if bad is not None:
        assert bad in out.offending


def test_uniqueness_single_and_compound():
    dup = pd.concat([GOOD, GOOD.iloc[[0]]], ignore_index=True)
    for exp in (checks._unique(["hs8"]), checks._unique(["period_month", "hs8"])):
        assert ge_runner.validate(GOOD, "t", [exp]).outcomes[0].success
        out = ge_runner.validate(dup, "t", [exp]).outcomes[0]
        assert not out.success and out.unexpected_count == 2
    assert checks._unique(["hs8"]).kind == "ExpectColumnValuesToBeUnique"


def test_schema_expectation():
    exp = checks._columns(["period_month", "hs8"])
    assert ge_runner.validate(GOOD, "t", [exp]).outcomes[0].success
    assert not ge_runner.validate(GOOD.drop(columns=["hs8"]), "t", [exp]).outcomes[0].success


def test_warning_severity_is_kept_apart_from_errors():
    warn = Expectation("ExpectColumnValuesToBeInSet",
                       {"column": "flow", "value_set": ["import"]}, "warn")
    out = ge_runner.validate(GOOD, "t", [warn])
    assert out.failed and not out.failed_errors


def test_chunks_merge_counts_and_examples():
    exp = checks._range("value_native", low=0)
    a = ge_runner.validate(GOOD.assign(value_native=[-1.0, 1.0]), "t", [exp])
    b = ge_runner.validate(GOOD.assign(value_native=[-2.0, 1.0]), "t", [exp])
    merged = ge_runner.merge([a, b])
    assert merged.rows == 4
    assert merged.outcomes[0].unexpected_count == 2
    assert set(merged.outcomes[0].offending) == {-1.0, -2.0}


@pytest.mark.parametrize(("today", "oldest"), [
    (date(2026, 11, 23), "2026-09"),  # October released on the 20th: grace to September
    (date(2026, 11, 10), "2026-08"),  # before the 20th: September is the newest expected
    (date(2026, 1, 5), "2025-10"),
])
def test_release_calendar(today, oldest):
    assert checks.oldest_allowed_month(today) == oldest


def _customs_table(con, months_values):
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute("CREATE OR REPLACE TABLE raw.customs_monthly_trade "
                "(period_month VARCHAR, flow VARCHAR, value_native DOUBLE)")
    for month, n, value in months_values:
        for _ in range(n):
            con.execute("INSERT INTO raw.customs_monthly_trade VALUES (?, 'import', ?)",
                        [month, value / n])


class _Ctx:
    def __init__(self, months):
        self.run = type("Run", (), {"tags": {
            "dagster/asset_partition_range_start": f"{months[0]}-01",
            "dagster/asset_partition_range_end": f"{months[-1]}-01"}})()


def test_volume_rule_flags_a_collapsed_month():
    con = duckdb.connect()
    history = [(f"2024-{m:02d}", 10, 1000.0) for m in range(1, 13)]
    _customs_table(con, [*history, ("2025-01", 10, 1000.0), ("2025-02", 2, 100.0)])
    rule = checks._volume_rule()
    ok = checks._rule_outcome(con, rule, _Ctx(["2025-01"]), "month")
    bad = checks._rule_outcome(con, rule, _Ctx(["2025-02"]), "month")
    assert ok.success
    assert not bad.success and bad.offending[0]["period_month"] == "2025-02"
    assert bad.expectation.severity == "warn"  # default: reported, not blocking


def test_freshness_rule_flags_stale_data():
    con = duckdb.connect()
    _customs_table(con, [("2019-12", 1, 1.0)])
    out = checks._rule_outcome(con, checks._freshness_rule(), _Ctx(["2019-12"]), "month")
    assert not out.success and out.offending[0]["latest_month"] == "2019-12"
