"""GE's SQL engine evaluates the suites inside DuckDB (quality/ge_duckdb.py): every
expectation kind of the suites passes on clean rows and fails on one crafted row, naming
the row's file and line; a write audit's staged rows are what it sees; and the GE bug the
shim works around is still there (when this test fails, GE fixed it: drop the shim)."""

import duckdb
import pytest

from orchestration.lib.quality import expectations as checks
from orchestration.lib.quality import ge_runner
from tests.quality.suites import ALL_SUITES

IDS = ("period_month", "hs8", "partner_code", "source_file", "line_no")

CLEAN = [  # period_month, hs8, partner_code, value_native, currency, source_file, line_no
    ("2024-01", "85423100", "502", 10.0, "CNY", "a.csv", 2),
    ("2024-01", "84862031", "116", 0.0, "USD", "a.csv", 3),
    ("2024-02", "85423100", "502", 0.5, "USD", "b.csv", 4),
]


def _table(rows=CLEAN) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw")
    con.execute(
        "CREATE TABLE raw.t (period_month VARCHAR, hs8 VARCHAR, partner_code VARCHAR, "
        "value_native DOUBLE, currency VARCHAR, source_file VARCHAR, line_no BIGINT)"
    )
    con.executemany("INSERT INTO raw.t VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    return con


SLICE = "SELECT * FROM raw.t WHERE list_contains(['2024-01', '2024-02'], period_month)"

# one expectation of each kind, and the row that breaks it (file bad.csv, line 9)
BAD = ("2024-02", "85423100", "502", 0.5, "USD", "bad.csv", 9)
CASES = {
    "ExpectColumnValuesToNotBeNull": (checks.not_null("hs8"), {"hs8": None}),
    "ExpectColumnValuesToMatchRegex": (checks.regex("hs8", r"^\d{8}$"), {"hs8": "8542310"}),
    "ExpectColumnValuesToBeInSet": (checks.in_set("currency", ["CNY", "USD"]), {"currency": "EUR"}),
    "ExpectColumnValuesToBeBetween": (
        checks.between("value_native", 0, 100),
        {"value_native": -5.0},
    ),
    "ExpectColumnValuesToBeUnique": (checks.unique(["line_no"]), {"line_no": 3}),
    "ExpectCompoundColumnsToBeUnique": (checks.unique(["period_month", "hs8", "partner_code"]), {}),
}
COLUMNS = [
    "period_month",
    "hs8",
    "partner_code",
    "value_native",
    "currency",
    "source_file",
    "line_no",
]


def test_every_kind_of_the_suites_has_a_crafted_failure():
    kinds = {e.kind for s in ALL_SUITES for e in s.expectations}
    kinds.add("ExpectColumnValuesToBeInSet")  # the run's partitions (expectations_for_run)
    assert kinds <= {*CASES, "ExpectTableColumnsToMatchSet"}, kinds - set(CASES)


@pytest.mark.parametrize("kind", list(CASES))
def test_kind_passes_on_clean_rows_and_fails_on_a_crafted_one(kind):
    expectation, change = CASES[kind]
    con = _table()
    clean = ge_runner.validate(SLICE, "t", [expectation], IDS, con=con).outcomes[0]
    assert clean.success and clean.error is None, clean
    assert clean.unexpected_count == 0 and clean.rows == 3
    row = [change.get(c, v) for c, v in zip(COLUMNS, BAD, strict=True)]
    con.execute("INSERT INTO raw.t VALUES (?, ?, ?, ?, ?, ?, ?)", row)
    out = ge_runner.validate(SLICE, "t", [expectation], IDS, con=con).outcomes[0]
    assert not out.success and out.error is None, out
    # a duplicate is two rows breaking the rule: the crafted one and the one it repeats
    assert out.unexpected_count == (2 if "Unique" in kind else 1)
    assert out.rows == 4
    # the offending row's file and line (GE's index list; for a compound key, the rows
    # of the duplicated key, which GE 1.24.1 does not list on SQL)
    located = [(r["source_file"], r["line_no"]) for r in out.offending]
    assert ("bad.csv", row[-1]) in located, out.offending


def test_a_duplicated_key_holding_a_null_is_caught():
    """Commodity-grain customs rows have no partner: their duplicates count (GE's SQL
    join drops NULL keys; ge_duckdb makes it null-safe, as GE's pandas engine is)."""
    con = _table(
        [
            ("2024-01", "85423100", None, 1.0, "USD", "c.csv", 2),
            ("2024-01", "85423100", None, 2.0, "USD", "c.csv", 3),
            ("2024-01", "85423200", None, 2.0, "USD", "c.csv", 4),
        ]
    )
    out = ge_runner.validate(
        SLICE, "t", [checks.unique(["period_month", "hs8", "partner_code"])], IDS, con=con
    ).outcomes[0]
    assert not out.success and out.unexpected_count == 2
    assert [(r["line_no"], r["partner_code"]) for r in out.offending] == [(2, None), (3, None)]


def test_schema_expectation_fails_on_a_missing_column():
    exp = checks.has_columns(["period_month", "hs8", "origin"])
    con = _table()
    out = ge_runner.validate(SLICE, "t", [exp], con=con).outcomes[0]
    assert not out.success and out.error is None
    ok = ge_runner.validate(
        SLICE, "t", [checks.has_columns(["period_month", "hs8"])], con=con
    ).outcomes[0]
    assert ok.success


def test_regex_is_a_search_as_in_pandas():
    """DuckDB's ``~`` is a full match; GE's pandas engine (and Postgres) search."""
    con = _table()
    out = ge_runner.validate(SLICE, "t", [checks.regex("hs8", "542")], con=con).outcomes[0]
    assert not out.success and out.unexpected_count == 1  # only 84862031 lacks "542"


def test_staged_rows_are_validated_and_the_transaction_is_left_to_its_owner():
    """The write audit validates inside its open transaction: GE sees the staged rows,
    and neither commits nor rolls them back."""
    con = _table()
    con.execute("BEGIN TRANSACTION")
    con.execute("INSERT INTO raw.t VALUES ('2024-02', 'x', '1', -1.0, 'USD', 'new.csv', 5)")
    out = ge_runner.validate(SLICE, "t", [checks.between("value_native", low=0)], IDS, con=con)
    assert out.rows == 4 and out.failed
    assert out.failed[0].offending[0]["source_file"] == "new.csv"
    assert con.execute("SELECT count(*) FROM raw.t").fetchone()[0] == 4  # still staged
    con.execute("ROLLBACK")
    assert con.execute("SELECT count(*) FROM raw.t").fetchone()[0] == 3


def test_an_expectation_ge_cannot_evaluate_says_so():
    con = _table()
    out = ge_runner.validate(SLICE, "t", [checks.not_null("no_such_column")], con=con).outcomes[0]
    assert not out.success
    assert out.error and out.observed_text.startswith("not evaluated:")


def test_stock_ge_still_fails_silently_on_duckdb(tmp_path):
    """The bug the shim works around (GE issue 11579). If this fails, a GE release
    evaluates expectations through plain duckdb-engine: drop ge_duckdb.py."""
    import great_expectations as gx

    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t AS SELECT 1 AS v")
    con.close()
    ctx = gx.get_context(mode="ephemeral")
    source = ctx.data_sources.add_sql("stock", connection_string=f"duckdb:///{path}")
    batch = (
        source.add_query_asset("q", query="SELECT * FROM t")
        .add_batch_definition_whole_table("w")
        .get_batch()
    )
    result = batch.validate(gx.expectations.ExpectColumnValuesToNotBeNull(column="v"))
    assert not result.success and not result.result  # a failure with no observed value
    # and GE knows no DuckDB dialect module, so regex needs ge_duckdb.attach
    assert batch.data.execution_engine.dialect_module is None
