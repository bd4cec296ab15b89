"""The download plan: exactly the queries still missing, within the portal's limits, on a
coverage table written by hand (the same columns the coverage model builds)."""

from __future__ import annotations

import json

import duckdb
import pytest

from orchestration.lib.customs import plan
from orchestration.lib.customs.parsing import parse_customs_file
from tests.customs.fixtures import write_gacc_csv

B1, B2, B3, L1, L2 = "11111111", "22222222", "33333333", "44444444", "55555555"


def _warehouse(coverage: list[tuple], trade: list[tuple]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for schema in ("intermediate", "staging"):
        con.execute(f"CREATE SCHEMA {schema}")
    con.execute("""CREATE TABLE intermediate.int_customs__code_coverage (
        period_month VARCHAR, flow VARCHAR, grain VARCHAR, hs8 VARCHAR,
        is_batch_code BOOLEAN, is_held_code BOOLEAN, is_list_code BOOLEAN,
        is_loaded BOOLEAN, is_declared BOOLEAN, status VARCHAR, is_suspected_gap BOOLEAN)""")
    for month, flow, grain, hs8, batch, status, *list_only in coverage:
        # a code is held (the data has it that year) unless it is a batch or list-only code
        held = not batch and not list_only
        con.execute(
            "INSERT INTO intermediate.int_customs__code_coverage VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, false)",
            [
                month,
                flow,
                grain,
                hs8,
                batch,
                held,
                held or bool(list_only),
                status == "loaded",
                status == "no trade",
                status,
            ],
        )
    con.execute(
        "CREATE TABLE staging.stg_reference__tech_batches AS SELECT * FROM (VALUES "
        f"('{B1}', '2015-01', '9999-12'), ('{B2}', '2015-01', '9999-12'), "
        f"('{B3}', '2024-03', '9999-12')) t(hs8, valid_from, valid_to)"
    )
    con.execute(
        "CREATE TABLE staging.stg_customs__monthly_trade (period_month VARCHAR, "
        "flow VARCHAR, grain VARCHAR, hs8 VARCHAR, partner_code VARCHAR)"
    )
    if trade:
        con.executemany(
            "INSERT INTO staging.stg_customs__monthly_trade VALUES (?, ?, ?, ?, ?)", trade
        )
    return con


def _brief(queries):
    return [(q.no, q.flow, q.month_from, q.month_to, q.codes, q.est_rows) for q in queries]


def test_commodity_plan_lists_exactly_the_missing_queries():
    """Imports: 2024-01 complete; 2024-02 misses B2; 2024-03 is in the data's span but
    nothing was loaded for it; 2024-04 is after the data. Exports: nothing covered in
    2024-02, 2024-03 declared no trade (nothing to do), 2024-04 after the data. B3 is
    valid from 2024-03 only (covered by the all-codes queries). A code at a finer grain
    counts as covered (2024-02 L1)."""
    c, p = "commodity", "commodity,partner"
    coverage = [
        ("2024-01", "import", c, B1, True, "loaded"),
        ("2024-01", "import", c, B2, True, "loaded"),
        ("2024-01", "import", c, L1, False, "loaded"),
        ("2024-02", "import", c, B1, True, "loaded"),
        ("2024-02", "import", c, B2, True, "not downloaded"),
        ("2024-02", "import", c, L1, False, "not downloaded"),
        ("2024-02", "import", p, L1, False, "loaded"),
        ("2024-03", "import", c, B1, True, "not downloaded"),
        ("2024-03", "import", c, B2, True, "not downloaded"),
        ("2024-03", "import", c, B3, True, "not downloaded"),
        ("2024-01", "export", c, L2, False, "loaded"),
        ("2024-02", "export", c, L2, False, "not downloaded"),
        ("2024-03", "export", c, L2, False, "no trade"),
    ]
    trade = [("2024-01", "import", c, h, None) for h in (B1, B2, L1)] + [
        ("2024-01", "export", c, L2, None)
    ]
    con = _warehouse(coverage, trade)
    queries = plan.build_plan(con, "2024-01", "2024-04", "commodity")
    assert _brief(queries) == [
        (1, "import", "2024-02", "2024-02", [B2], 1),
        (2, "import", "2024-03", "2024-03", None, 3),  # all codes: 3 codes a month seen
        (3, "import", "2024-04", "2024-04", None, 3),
        (4, "export", "2024-02", "2024-02", None, 1),  # nothing covered: all codes
        (5, "export", "2024-04", "2024-04", None, 1),
    ]
    assert all(q.save_as.endswith(".csv") and q.flow in q.save_as for q in queries)
    assert len({q.save_as for q in queries}) == 5


def test_condition_codes_five_per_query_over_the_months_they_miss():
    codes = [f"{85423100 + i:08d}" for i in range(12)]
    coverage = [
        (m, "import", "commodity", h, True, "not downloaded")
        for m in ("2024-02", "2024-03")
        for h in codes
    ]
    coverage += [("2024-01", "import", "commodity", h, True, "loaded") for h in codes]
    coverage += [
        ("2024-02", "import", "commodity", B1, True, "loaded"),
        ("2024-03", "import", "commodity", B1, True, "loaded"),
    ]
    con = _warehouse(coverage, [])
    queries = plan.build_plan(con, "2024-01", "2024-03", "commodity")
    imports = [q for q in queries if q.flow == "import"]
    assert [(q.month_from, q.month_to, q.codes, q.est_rows) for q in imports] == [
        ("2024-02", "2024-03", codes[0:5], 10),
        ("2024-02", "2024-03", codes[5:10], 10),
        ("2024-02", "2024-03", codes[10:12], 4),
    ]
    # more than ALL_CODES_ABOVE missing in a month: one query for all codes instead
    many = [f"{30000000 + i:08d}" for i in range(plan.ALL_CODES_ABOVE + 1)]
    con = _warehouse(
        [("2024-01", "import", "commodity", B1, True, "loaded")]
        + [("2024-01", "import", "commodity", h, False, "not downloaded") for h in many],
        [],
    )
    assert [
        (q.codes, q.month_from)
        for q in plan.build_plan(con, "2024-01", "2024-01")
        if q.flow == "import"
    ] == [(None, "2024-01")]


def test_partner_plan_keeps_each_query_under_the_row_limit():
    """Batch codes by partner: B1 loaded at the partner grain in 2024-01 with 2,000 rows
    (partners x regimes), so a query of B2 alone fits 8,000 // 2,000 = 4 months."""
    p = "commodity,partner"
    months = [f"2024-{m:02d}" for m in range(1, 7)]
    coverage = [
        (m, "import", p, B1, True, "loaded" if m == "2024-01" else "not downloaded") for m in months
    ]
    coverage += [(m, "import", p, B2, True, "not downloaded") for m in months]
    trade = [("2024-01", "import", p, B1, f"{i:04d}") for i in range(2000)]
    con = _warehouse(coverage, trade)
    queries = plan.build_plan(con, "2024-01", "2024-06", p)
    # B2 misses 01..06 and B1 02..06: different months, so separate queries, each split
    assert [(q.month_from, q.month_to, q.codes, q.est_rows) for q in queries] == [
        ("2024-01", "2024-04", [B2], 8000),
        ("2024-02", "2024-05", [B1], 8000),
        ("2024-05", "2024-06", [B2], 4000),
        ("2024-06", "2024-06", [B1], 2000),
    ]
    assert all(q.est_rows <= plan.ROW_BUDGET for q in queries)
    # B3 is valid from 2024-03 and was never judged: months outside the data only
    con = _warehouse([], [])
    assert {tuple(q.codes) for q in plan.build_plan(con, "2024-03", "2024-03", p)} == {(B1, B2, B3)}


def test_a_download_saved_under_the_plan_name_is_understood(tmp_path):
    q = plan.Query(1, "import", "commodity", "2024-02", "2024-02", [B2, "84862031"], 2)
    q.save_as = plan._save_as(q)
    landing = tmp_path / "landing"
    landing.mkdir()
    plan.write_manifest([q], landing)
    head = [
        "商品编码",
        "商品名称",
        "第一数量",
        "第一计量单位",
        "第二数量",
        "第二计量单位",
        "人民币",
    ]
    path = write_gacc_csv(
        landing / q.save_as, head, [["84862031", "光刻机", "1", "台", "0", "?", "5,000"]]
    )
    con = duckdb.connect()
    parsed = parse_customs_file(con, path)
    assert parsed.flow == "import" and parsed.months == ["2024-02"]
    assert parsed.declared_codes == sorted([B2, "84862031"])
    # merged, never replaced: an earlier plan's entry stays
    q2 = plan.Query(1, "export", "commodity", "2024-05", "2024-05", None, 1)
    q2.save_as = plan._save_as(q2)
    plan.write_manifest([q2], landing)
    entries = json.loads((landing / "_plans" / "queries.json").read_text())
    assert set(entries) == {q.save_as, q2.save_as} and entries[q2.save_as]["codes"] == "all"


def test_unknown_grain_refused():
    with pytest.raises(ValueError):
        plan.build_plan(_warehouse([], []), "2024-01", "2024-01", "partner")


def test_the_list_scope_also_completes_china_customs_whole_list():
    """2024-01 imports: B1, B2 and the held code L1 loaded; L2 is a line of the year's
    list that no file holds. Exports: L1 loaded. The analysis needs nothing more; the list
    scope asks for L2's imports."""
    c = "commodity"
    coverage = [("2024-01", "import", c, h, h != L1, "loaded") for h in (B1, B2, L1)] + [
        ("2024-01", "import", c, L2, False, "not downloaded", "list-only"),
        ("2024-01", "export", c, L1, False, "loaded"),
    ]
    trade = [("2024-01", "import", c, h, None) for h in (B1, B2, L1)] + [
        ("2024-01", "export", c, L1, None)
    ]
    con = _warehouse(coverage, trade)
    assert plan.build_plan(con, "2024-01", "2024-01", c) == []
    assert _brief(plan.build_plan(con, "2024-01", "2024-01", c, scope="list")) == [
        (1, "import", "2024-01", "2024-01", [L2], 1)
    ]
    with pytest.raises(ValueError, match="scope"):
        plan.build_plan(con, "2024-01", "2024-01", c, scope="everything")
