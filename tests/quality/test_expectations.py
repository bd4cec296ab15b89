"""Each expectation kind of the suites passes on good input and fails on crafted bad
input, naming the observed value and offending rows."""

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.defs.customs import checks as customs
from orchestration.defs.quality import checks
from orchestration.lib.quality import expectations as exps
from orchestration.lib.quality import ge_runner
from orchestration.lib.quality.ge_runner import Expectation
from orchestration.settings import Settings

GOOD = pd.DataFrame(
    {
        "period_month": ["2024-01", "2024-02"],
        "flow": ["import", "export"],
        "hs8": ["85423100", "84862031"],
        "partner_code": ["502", "116"],
        "value_native": [10.0, 0.0],
        "currency": ["CNY", "USD"],
    }
)

CASES = [
    # (expectation, column, bad value)
    (exps.not_null("hs8"), "hs8", None),
    (exps.regex("hs8", r"^\d{8}$"), "hs8", "8542310"),
    (exps.regex("period_month", r"^\d{4}-(0[1-9]|1[0-2])$"), "period_month", "2024-13"),
    (exps.in_set("flow", ["import", "export"]), "flow", "re-export"),
    (exps.in_set("currency", ["CNY", "USD"]), "currency", "EUR"),
    (exps.between("value_native", low=0), "value_native", -5.0),
    (exps.between("value_native", 0, 1), "value_native", 1.5),
]


@pytest.mark.parametrize(("expectation", "column", "bad"), CASES, ids=[c[0].label for c in CASES])
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
    for exp in (exps.unique(["hs8"]), exps.unique(["period_month", "hs8"])):
        assert ge_runner.validate(GOOD, "t", [exp]).outcomes[0].success
        out = ge_runner.validate(dup, "t", [exp]).outcomes[0]
        assert not out.success and out.unexpected_count == 2
    assert exps.unique(["hs8"]).kind == "ExpectColumnValuesToBeUnique"


def test_schema_expectation():
    exp = exps.has_columns(["period_month", "hs8"])
    assert ge_runner.validate(GOOD, "t", [exp]).outcomes[0].success
    assert not ge_runner.validate(GOOD.drop(columns=["hs8"]), "t", [exp]).outcomes[0].success


def test_warning_severity_is_kept_apart_from_errors():
    warn = Expectation(
        "ExpectColumnValuesToBeInSet", {"column": "flow", "value_set": ["import"]}, "warn"
    )
    out = ge_runner.validate(GOOD, "t", [warn])
    assert out.failed and not out.failed_errors


@pytest.mark.parametrize(
    ("today", "oldest"),
    [
        (date(2026, 11, 23), "2026-09"),  # October released on the 20th: grace to September
        (date(2026, 11, 10), "2026-08"),  # before the 20th: September is the newest expected
        (date(2026, 1, 5), "2025-10"),
    ],
)
def test_release_calendar(today, oldest):
    assert customs.oldest_allowed_month(today) == oldest


def _customs_table(con, months_values, currency="USD", cny_per_usd=7.0):
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(
        "CREATE OR REPLACE TABLE raw.customs_monthly_trade "
        "(period_month VARCHAR, flow VARCHAR, value_native DOUBLE, currency VARCHAR)"
    )
    con.execute(
        "CREATE OR REPLACE TABLE raw.fx_monthly "
        "(month VARCHAR, country VARCHAR, cny_per_usd DOUBLE)"
    )
    for month, n, value in months_values:
        cur = currency(month) if callable(currency) else currency
        native = value * cny_per_usd if cur == "CNY" else value
        con.execute("INSERT INTO raw.fx_monthly VALUES (?, 'China', ?)", [month, cny_per_usd])
        for _ in range(n):
            con.execute(
                "INSERT INTO raw.customs_monthly_trade VALUES (?, 'import', ?, ?)",
                [month, native / n, cur],
            )


class _Ctx:
    def __init__(self, months):
        self.run = type(
            "Run",
            (),
            {
                "tags": {
                    "dagster/asset_partition_range_start": f"{months[0]}-01",
                    "dagster/asset_partition_range_end": f"{months[-1]}-01",
                }
            },
        )()


def _keys(months):
    """The run's months as the checks read them from its tags (first to last month)."""
    return checks.run_partition_keys(_Ctx(months), "month")


def test_volume_rule_flags_a_collapsed_month():
    con = duckdb.connect()
    history = [(f"2024-{m:02d}", 10, 1000.0) for m in range(1, 13)]
    _customs_table(con, [*history, ("2025-01", 10, 1000.0), ("2025-02", 2, 100.0)])
    rule = customs.volume_rule()
    ok = checks.rule_outcome(con, rule, _keys(["2025-01"]))
    bad = checks.rule_outcome(con, rule, _keys(["2025-02"]))
    assert ok.success
    assert not bad.success and bad.offending[0]["period_month"] == "2025-02"
    assert bad.expectation.severity == "warn"  # default: reported, not blocking


def test_volume_rule_compares_usd_across_a_currency_switch():
    """Files in RMB to 2024 and in USD from 2025, the same trade in USD: no warning
    (in native units the USD months would look 7 times smaller)."""
    con = duckdb.connect()
    months = [(f"2024-{m:02d}", 10, 1000.0) for m in range(1, 13)] + [("2025-01", 10, 1000.0)]
    _customs_table(con, months, currency=lambda m: "CNY" if m < "2025" else "USD")
    out = checks.rule_outcome(con, customs.volume_rule(), _keys(["2025-01"]))
    assert out.success, out.offending


def test_freshness_is_judged_only_against_a_clock_the_user_sets(monkeypatch):
    con = duckdb.connect()
    _customs_table(con, [("2019-12", 1, 1.0)])
    monkeypatch.delenv("CHOKEPOINT_FRESHNESS_AS_OF", raising=False)
    unset = checks.rule_outcome(con, customs.freshness_rule(), _keys(["2019-12"]))
    assert unset.success
    monkeypatch.setenv("CHOKEPOINT_FRESHNESS_AS_OF", "2020-02-20")  # January just released
    fresh = checks.rule_outcome(con, customs.freshness_rule(), _keys(["2019-12"]))
    assert fresh.success  # 2019-12 is the month of grace: exactly on the boundary
    monkeypatch.setenv("CHOKEPOINT_FRESHNESS_AS_OF", "2020-03-20")
    out = checks.rule_outcome(con, customs.freshness_rule(), _keys(["2019-12"]))
    assert not out.success and out.offending[0]["latest_month"] == "2019-12"
    assert out.offending[0]["oldest_allowed"] == "2020-01"


def test_an_empty_month_of_the_run_is_named():
    con = duckdb.connect()
    _customs_table(con, [("2024-01", 3, 10.0), ("2024-03", 3, 10.0)])
    out = checks.rule_outcome(con, customs.empty_months_rule(), _keys(["2024-01", "2024-03"]))
    assert not out.success
    assert [r["period_month"] for r in out.offending] == ["2024-02"]
    assert out.expectation.severity == "warn"


def test_offending_rows_name_month_code_partner_file_and_line():
    df = pd.DataFrame(
        {
            "period_month": ["2024-06", "2024-06", "2024-07"],
            "flow": ["import"] * 3,
            "hs8": ["85423190", "85423290", "85423190"],
            "partner_code": ["502", "116", "502"],
            "source_file": ["a.csv", "a.csv", "b.csv"],
            "line_no": [2, 3, 7],
            "value_native": [5.0, -1.0, 2.0],
        }
    )
    exp = exps.between("value_native", low=0)
    out = ge_runner.validate(
        df,
        "customs",
        [exp],
        id_columns=("period_month", "flow", "hs8", "partner_code", "source_file", "line_no"),
    )
    [row] = out.outcomes[0].offending
    assert (row["source_file"], row["line_no"], row["hs8"], row["partner_code"]) == (
        "a.csv",
        3,
        "85423290",
        "116",
    )
    assert out.outcomes[0].observed_text == "1 of 3 rows (33.33%) break the rule"
    assert exp.rule == "value_native >= 0"


def test_check_metadata_renders_whole_with_pipes_escaped():
    exp = exps.regex("period_month", r"^\d{4}-(0[1-9]|1[0-2])$")
    out = ge_runner.validate(pd.DataFrame({"period_month": ["2024-13"]}), "t", [exp])
    meta = checks.metadata(out, Path("/tmp/q/x.json"), "")
    table = meta["rules"].value
    assert "(0[1-9]\\|1[0-2])" in table  # the regex whole, its pipe escaped
    assert all(line.count(" | ") == 3 for line in table.splitlines() if "matches" in line)
    assert "1 of 1 rows (100.00%) break the rule" in meta["failed_1"].value
    # the report is linked where `chokepoint ui` / `chokepoint docs` serve it
    port = Settings.from_env().docs_port
    assert meta["quality_report"].url == f"http://127.0.0.1:{port}/quality/index.html"
