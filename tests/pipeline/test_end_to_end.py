"""End to end on a short window in a temporary data folder, then bad inputs.

One session-scoped run builds the warehouse; later tests drop bad files into the same
folder and assert the run is refused or blocked, and that what was built before stays.
"""

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
    origins = {
        r[0]
        for r in con.execute("SELECT DISTINCT origin FROM marts.fct_tech_group_monthly").fetchall()
    }
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
        list(settings.landing("customs").glob("*.csv"))
    )
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
        '"201905","116","日本","85423100","处理器","10","千克","0","?","12x,000",\r\n'.encode(
            "gb18030"
        )
    )
    try:
        report = run_pipeline(settings, month_from=WINDOW[0], month_to=WINDOW[1])
        assert not report.ok
        text = report.render()
        assert "gacc_broken_2019_import.csv" in text
        assert "line 3" in text
        assert _snapshot(settings, "raw.customs_trade_vintages") == before
        assert _snapshot(settings, "marts.fct_tech_group_monthly") == marts
        # moved aside with its reason, so the next run does not trip on it
        refused = settings.landing("customs") / "_refused" / bad.name
        assert not bad.exists() and refused.exists()
        why = refused.with_name(refused.name + ".why.txt").read_text(encoding="utf-8")
        assert "line 3" in why and str(refused) in text
    finally:
        bad.unlink(missing_ok=True)


_KEY_VINTAGES = (
    "SELECT count(DISTINCT file_sha256) FROM raw.customs_trade_vintages "
    "WHERE period_month = '2019-11' AND flow = 'import' AND hs8 = ? "
    "AND partner_code = ?"
)


def test_revision_changes_its_key_only_and_keeps_the_old_vintage(first_run):
    """A newer file for a month and flow already loaded revises the keys it holds, in the
    raw table and in the incremental staging model; every other row of the month stays,
    the earlier vintage stays queryable and the change is listed."""
    from orchestration.runner import run_pipeline

    settings, _ = first_run
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        partner, hs8, old_value = con.execute(
            "SELECT partner_code, hs8, value_native FROM raw.customs_monthly_trade "
            "WHERE period_month = '2019-11' AND flow = 'import' ORDER BY hs8, partner_code "
            "LIMIT 1"
        ).fetchall()[0]
        rows_before = con.execute(
            "SELECT count(*) FROM raw.customs_monthly_trade WHERE period_month = '2019-11' "
            "AND flow = 'import'"
        ).fetchall()[0][0]
        vintages_before = con.execute(_KEY_VINTAGES, [hs8, partner]).fetchall()[0][0]
    finally:
        con.close()
    revised = settings.landing("customs") / "gacc_revised_201911_import.csv"
    revised.write_bytes(
        (
            '"数据年月","贸易伙伴编码","贸易伙伴名称","商品编码","商品名称","第一数量",'
            '"第一计量单位","第二数量","第二计量单位","美元",\r\n'
            f'"201911","{partner}","x","{hs8}","处理器","10","千克","0","?","123,456",\r\n'
        ).encode("gb18030")
    )
    report = run_pipeline(settings, month_from="2019-11", month_to="2019-11")
    assert report.ok, report.render()
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        current = con.execute(
            "SELECT count(*), sum(CASE WHEN hs8 = ? AND partner_code = ? THEN value_usd END) "
            "FROM staging.stg_customs__monthly_trade "
            "WHERE period_month = '2019-11' AND flow = 'import'",
            [hs8, partner],
        ).fetchall()[0]
        vintages = con.execute(_KEY_VINTAGES, [hs8, partner]).fetchall()[0][0]
        listed = con.execute(
            "SELECT old_value_native, new_value_native, new_file FROM raw.customs_revisions "
            "WHERE period_month = '2019-11'"
        ).fetchall()
        raw_rows, stg_rows = con.execute(
            "SELECT (SELECT count(*) FROM raw.customs_monthly_trade), "
            "(SELECT count(*) FROM staging.stg_customs__monthly_trade)"
        ).fetchall()[0]
        untouched = con.execute(
            "SELECT count(*) FROM staging.stg_customs__monthly_trade "
            "WHERE period_month = '2019-10' AND flow = 'import'"
        ).fetchall()[0][0]
    finally:
        con.close()
    assert current == (rows_before, 123456.0)  # same rows, one value changed
    assert vintages == vintages_before + 1  # the bundled file(s) holding it, and the revision
    assert listed == [(old_value, 123456.0, revised.name)]
    assert raw_rows == stg_rows  # no slice twice in staging
    assert untouched > 1


def test_duplicated_key_is_refused_at_parse_time(first_run):
    """Two lines with the same key in one file: refused whole, both lines named."""
    from orchestration.runner import run_pipeline

    settings, _ = first_run
    before = _snapshot(settings, "raw.customs_trade_vintages")
    dup = settings.landing("customs") / "gacc_duplicated_2019_import.csv"
    line = '"201906","502","美国","85423100","处理器","10","千克","0","?","1,000",\r\n'
    dup.write_bytes(
        (
            '"数据年月","贸易伙伴编码","贸易伙伴名称","商品编码","商品名称","第一数量",'
            '"第一计量单位","第二数量","第二计量单位","美元",\r\n' + line + line
        ).encode("gb18030")
    )
    try:
        report = run_pipeline(settings, month_from="2019-06", month_to="2019-06")
        assert not report.ok
        text = report.render()
        assert "gacc_duplicated_2019_import.csv" in text and "lines 2 and 3" in text
        assert _snapshot(settings, "raw.customs_trade_vintages") == before
        assert (settings.landing("customs") / "_refused" / dup.name).exists()
    finally:
        dup.unlink(missing_ok=True)


def test_failed_check_blocks_downstream(first_run, monkeypatch):
    """A file that parses but fails a blocking check (a commodity total that the partner
    rows of the month do not sum to, with the grain reconciliation set to error) is
    stored, its check fails with ERROR, and nothing downstream is rebuilt."""
    from orchestration.runner import run_pipeline

    settings, _ = first_run
    marts = _snapshot(settings, "marts.fct_tech_group_monthly")
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        hs8, total = con.execute(
            "SELECT hs8, sum(value_native) FROM raw.customs_monthly_trade "
            "WHERE period_month = '2019-06' AND flow = 'import' GROUP BY hs8 ORDER BY hs8 "
            "LIMIT 1"
        ).fetchall()[0]
    finally:
        con.close()
    bad = settings.landing("customs") / "gacc_commodity_2019-06_import.csv"
    bad.write_bytes(
        (
            '"商品编码","商品名称","第一数量","第一计量单位","第二数量","第二计量单位","人民币",\r\n'
            f'"{hs8}","x","10","千克","0","?","{int(2 * total):,}",\r\n'
        ).encode("gb18030")
    )
    monkeypatch.setenv("CHOKEPOINT_GRAIN_RECONCILIATION_SEVERITY", "error")
    report = run_pipeline(settings, month_from="2019-06", month_to="2019-06")
    assert not report.ok
    failed = [name for name, state in report.checks.items() if state == "failed"]
    assert failed == ["staging/stg_customs__monthly_trade:assert_customs_grains_reconcile"], (
        report.render()
    )
    assert any(state == "skipped" for state in report.checks.values())
    assert _snapshot(settings, "marts.fct_tech_group_monthly") == marts


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
            "WHERE hs6 = '848620' AND trade_year = 2019"
        ).fetchall()[0]
        origins = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT origin FROM indicators.ind_hs6_world_share "
                "WHERE hs6 IN ('848620', '903082', '903141')"
            ).fetchall()
        }
    finally:
        con.close()
    assert row[0] == pytest.approx(532_574_855)
    assert row[1] == pytest.approx(42_825_320_337)
    assert row[2] == pytest.approx(532_574_855 / 42_825_320_337)
    assert round(100 * row[2], 2) == 1.24
    assert round(row[3], 1) == 19.6
    assert row[4] == "real" and origins == {"real"}
