"""End to end on a short window in a temporary data folder, then bad inputs.

One session-scoped run builds the warehouse; later tests drop bad files into the same
folder and assert the run is refused or blocked, and that what was built before stays.
"""

import json
import math

import duckdb
import pytest

from orchestration.settings import Settings
from tests.conftest import WINDOW


def _count(settings: Settings, table: str) -> int:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    finally:
        con.close()


def _snapshot(settings: Settings, table: str) -> list:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
    finally:
        con.close()


def test_run_fills_every_layer(first_run):
    settings, report = first_run
    assert report.ok, report.render()
    assert settings.warehouse_path.exists()
    months = _count(settings, "(SELECT DISTINCT period_month FROM raw.customs_monthly_trade)")
    assert months == 24  # only the window's partitions are current
    assert _count(settings, "staging.stg_customs__monthly_trade") > 0
    assert _count(settings, "marts.fct_tech_group_monthly") > 0
    assert _count(settings, "indicators.ind_group_patterns") >= 17
    assert _count(settings, "indicators.ind_gdp_shares") == 2
    # synthetic inputs are labelled all the way to the marts and in the report
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    origins = {r[0] for r in con.execute(
        "SELECT DISTINCT origin FROM marts.fct_tech_group_monthly").fetchall()}
    con.close()
    assert origins == {"synthetic"}
    text = report.render()
    assert "SYNTHETIC" in text
    assert "warehouse:" in text and "checks:" in text and "stages (s):" in text
    assert "failed" not in {v for v in report.checks.values()}
    assert (settings.quality_dir / "index.html").exists()


def test_rerun_is_idempotent(first_run):
    from orchestration.runner import run_pipeline

    settings, _ = first_run
    before = _snapshot(settings, "raw.customs_monthly_trade")
    panel = _snapshot(settings, "indicators.ind_group_patterns")
    report = run_pipeline(settings, month_from=WINDOW[0], month_to=WINDOW[1])
    assert report.ok, report.render()
    assert _snapshot(settings, "raw.customs_monthly_trade") == before
    assert _count(settings, "raw.customs_load_log") == len(
        list(settings.landing("customs").glob("*.csv")))
    again = _snapshot(settings, "indicators.ind_group_patterns")
    assert len(again) == len(panel)
    for new, old in zip(again, panel, strict=True):
        # parallel sums may differ in the last bit; everything else must be identical
        for a, b in zip(new, old, strict=True):
            if isinstance(a, float) and isinstance(b, float):
                assert math.isclose(a, b, rel_tol=1e-12), (new, old)
            else:
                assert a == b, (new, old)


def test_malformed_file_is_refused_and_nothing_changes(first_run):
    from orchestration.runner import run_pipeline

    settings, _ = first_run
    before = _snapshot(settings, "raw.customs_trade_vintages")
    marts = _snapshot(settings, "marts.fct_tech_group_monthly")
    bad = settings.landing("customs") / "gacc_broken_2019_import.csv"
    bad.write_bytes(
        '"数据年月","贸易伙伴编码","贸易伙伴名称","商品编码","商品名称","第一数量",'
        '"第一计量单位","第二数量","第二计量单位","美元",\r\n'
        '"201905","502","美国","85423100","处理器","10","千克","0","?","1,000",\r\n'
        '"201905","116","日本","85423100","处理器","10","千克","0","?","12x,000",\r\n'
        .encode("gb18030"))
    try:
        report = run_pipeline(settings, month_from=WINDOW[0], month_to=WINDOW[1])
        assert not report.ok
        text = report.render()
        assert "gacc_broken_2019_import.csv" in text
        assert "line 3" in text
        assert _snapshot(settings, "raw.customs_trade_vintages") == before
        assert _snapshot(settings, "marts.fct_tech_group_monthly") == marts
    finally:
        bad.unlink()


def test_revision_replaces_its_slice_and_keeps_the_old_vintage(first_run):
    """A newer file for a month and flow already loaded replaces that slice in the raw
    table and in the incremental staging model; the earlier vintage stays queryable."""
    from orchestration.runner import run_pipeline

    settings, _ = first_run
    revised = settings.landing("customs") / "gacc_revised_201911_import.csv"
    revised.write_bytes(
        ('"数据年月","贸易伙伴编码","贸易伙伴名称","商品编码","商品名称","第一数量",'
         '"第一计量单位","第二数量","第二计量单位","美元",\r\n'
         '"201911","502","美国","85423110","处理器","10","千克","0","?","123,456",\r\n')
        .encode("gb18030"))
    report = run_pipeline(settings, month_from="2019-11", month_to="2019-11")
    assert report.ok, report.render()
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        current = con.execute(
            "SELECT count(*), sum(value_usd) FROM staging.stg_customs__monthly_trade "
            "WHERE period_month = '2019-11' AND flow = 'import'").fetchall()[0]
        vintages = con.execute(
            "SELECT count(DISTINCT file_sha256) FROM raw.customs_trade_vintages "
            "WHERE period_month = '2019-11' AND flow = 'import'").fetchall()[0][0]
        raw_rows, stg_rows = con.execute(
            "SELECT (SELECT count(*) FROM raw.customs_monthly_trade), "
            "(SELECT count(*) FROM staging.stg_customs__monthly_trade)").fetchall()[0]
        untouched = con.execute(
            "SELECT count(*) FROM staging.stg_customs__monthly_trade "
            "WHERE period_month = '2019-10' AND flow = 'import'").fetchall()[0][0]
    finally:
        con.close()
    assert current == (1, 123456.0)
    assert vintages == 2  # the synthetic 2019 file and the revision
    assert raw_rows == stg_rows  # no slice twice in staging
    assert untouched > 1


def test_failed_expectation_blocks_downstream(first_run):
    """A file that parses but breaks an expectation (a duplicated key) is stored as a
    vintage, its check fails with ERROR, and nothing downstream is rebuilt."""
    from orchestration.runner import run_pipeline

    settings, _ = first_run
    marts = _snapshot(settings, "marts.fct_tech_group_monthly")
    dup = settings.landing("customs") / "gacc_duplicated_2019_import.csv"
    line = '"201906","502","美国","85423100","处理器","10","千克","0","?","1,000",\r\n'
    dup.write_bytes(
        ('"数据年月","贸易伙伴编码","贸易伙伴名称","商品编码","商品名称","第一数量",'
         '"第一计量单位","第二数量","第二计量单位","美元",\r\n' + line + line)
        .encode("gb18030"))
    report = run_pipeline(settings, month_from="2019-06", month_to="2019-06")
    assert not report.ok
    failed = [name for name, state in report.checks.items() if state == "failed"]
    assert failed == ["raw/customs_monthly_trade:ge_customs_monthly_trade"], report.render()
    assert any(state == "skipped" for state in report.checks.values())
    assert _snapshot(settings, "marts.fct_tech_group_monthly") == marts
    # the check's stored result names the expectation and the offending rows
    results = sorted(settings.quality_dir.glob("*_customs_monthly_trade.json"),
                     key=lambda p: p.stat().st_mtime)
    payload = json.loads(results[-1].read_text())
    [unique] = [r for r in payload["results"]
                if r["expectation"] == "ExpectCompoundColumnsToBeUnique"]
    assert not unique["success"]
    assert unique["expectation"] == "ExpectCompoundColumnsToBeUnique"
    assert unique["rule"].startswith("one row per (period_month, flow, partner_code, hs8")
    assert unique["observed"].startswith("2 of ")
    # each offending row is located: month, code, partner, file and line
    located = {(r["period_month"], r["hs8"], r["partner_code"], r["source_file"], r["line_no"])
               for r in unique["offending_examples"]}
    assert located == {("2019-06", "85423100", "502", dup.name, 2),
                       ("2019-06", "85423100", "502", dup.name, 3)}
    dup.unlink()


def test_real_comtrade_case_flows_through_the_models(first_run):
    """The real legacy Comtrade file (HS 848620, 903082, 903141, every reporter) lands in
    ind_hs6_world_share labelled real. HS 848620 in 2019 by hand from the file: China
    exported 532,574,855 USD of 42,825,320,337 (all reporters) = 1.2436%, and imported
    10,429,742,633 = 19.58 times its exports."""
    settings, _ = first_run
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        row = con.execute(
            "SELECT china_exports_usd, world_exports_usd, china_world_export_share, "
            "china_import_export_ratio, origin FROM indicators.ind_hs6_world_share "
            "WHERE hs6 = '848620' AND trade_year = 2019").fetchall()[0]
        origins = {r[0] for r in con.execute(
            "SELECT DISTINCT origin FROM indicators.ind_hs6_world_share "
            "WHERE hs6 IN ('848620', '903082', '903141')").fetchall()}
    finally:
        con.close()
    assert row[0] == pytest.approx(532_574_855)
    assert row[1] == pytest.approx(42_825_320_337)
    assert row[2] == pytest.approx(532_574_855 / 42_825_320_337)
    assert round(100 * row[2], 2) == 1.24
    assert round(row[3], 1) == 19.6
    assert row[4] == "real" and origins == {"real"}
