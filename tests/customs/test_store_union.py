"""Files of one month, flow and grain are unioned by key, never replaced: partial files
both stay, identical rows collapse, a revised key changes alone (old row kept, change
listed), nothing is deleted because a newer file lacks it. Counts worked out by hand
from tests/fixtures/customs/grains (see its README)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.lib.customs import store
from orchestration.lib.customs.parsing import parse_customs_file

GRAINS = Path(__file__).resolve().parents[1] / "fixtures" / "customs" / "grains"
MONTHS = [f"2024-{m:02d}" for m in range(1, 7)]


def _load(con, landing: Path, names: list[str]) -> list[int]:
    revised = []
    for i, name in enumerate(names):
        parsed = parse_customs_file(con, landing / name, table=f"p{i}")
        revised.append(store.store_vintage(con, parsed, landing / name))
    store.replace_current_slice(con, MONTHS)
    return revised


@pytest.fixture()
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    store.ensure_tables(c)
    yield c
    c.close()


def _current(con, where: str = "true") -> list[tuple]:
    return con.execute(
        "SELECT period_month, grain, hs8, partner_code, value_native, source_file "
        f"FROM raw.customs_monthly_trade WHERE {where} ORDER BY ALL"
    ).fetchall()


def test_partial_files_with_disjoint_codes_are_both_kept(con, landing):
    _load(con, landing, ["gacc_hs8_import_part1.csv", "gacc_hs8_import_part2.csv"])
    rows = _current(con, "period_month = '2024-01'")
    # part1 has 3 rows of 2024-01, part2 2: all 5 stay
    assert [(r[2], r[3]) for r in rows] == [
        ("84118100", "304"),
        ("84118100", "502"),
        ("84118200", "502"),
        ("84119990", "116"),
        ("84141000", "116"),
    ]
    assert con.execute("SELECT count(*) FROM raw.customs_monthly_trade").fetchone()[0] == 8


def test_identical_rows_collapse_and_nothing_is_deleted(con, landing):
    _load(con, landing, ["gacc_hs8_import_part1.csv", "gacc_hs8_import_part2.csv"])
    before = {(r[0], r[2], r[3], r[4]) for r in _current(con)}
    revised = _load(con, landing, ["gacc_hs8_import_overlap.csv"])
    after = _current(con)
    # overlap: 2 rows identical to part1 (collapse) + 3 new rows of 2024-04; the rows of
    # part1 and part2 it lacks all stay
    assert len(after) == 8 + 3
    assert before <= {(r[0], r[2], r[3], r[4]) for r in after}
    assert revised == [0]
    assert con.execute("SELECT count(*) FROM raw.customs_revisions").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM raw.customs_trade_vintages").fetchone()[0] == 13


def test_revision_changes_one_key_keeps_the_vintage_and_lists_the_change(con, landing):
    _load(con, landing, ["gacc_hs8_import_part1.csv", "gacc_hs8_import_part2.csv"])
    before = _current(con)
    revised = _load(con, landing, ["gacc_hs8_import_revised.csv"])
    after = _current(con)
    assert revised == [1]
    changed = [(b, a) for b, a in zip(before, after, strict=True) if b[4] != a[4]]
    assert changed == [
        (
            (
                "2024-02",
                "commodity,partner",
                "84118200",
                "502",
                1_200_000.0,
                "gacc_hs8_import_part1.csv",
            ),
            (
                "2024-02",
                "commodity,partner",
                "84118200",
                "502",
                1_350_000.0,
                "gacc_hs8_import_revised.csv",
            ),
        )
    ]
    assert con.execute(
        "SELECT period_month, hs8, partner_code, old_value_native, new_value_native, "
        "old_file, new_file FROM raw.customs_revisions"
    ).fetchall() == [
        (
            "2024-02",
            "84118200",
            "502",
            1_200_000.0,
            1_350_000.0,
            "gacc_hs8_import_part1.csv",
            "gacc_hs8_import_revised.csv",
        )
    ]
    # the old value stays in the vintages
    assert con.execute(
        "SELECT list(value_native ORDER BY loaded_at) FROM raw.customs_trade_vintages "
        "WHERE period_month = '2024-02' AND hs8 = '84118200'"
    ).fetchone()[0] == [1_200_000.0, 1_350_000.0]


def test_the_same_file_twice_changes_nothing(con, landing):
    _load(con, landing, ["gacc_hs8_import_part1.csv"])
    before = _current(con)
    store.replace_current_slice(con, MONTHS)
    assert _current(con) == before


def test_grains_are_separate_keys(con, landing):
    _load(con, landing, ["gacc_2024-05_import_commodity.csv", "gacc_2024-05_import_by_partner.csv"])
    grains = con.execute(
        "SELECT grain, count(*), sum(value_native) FROM raw.customs_monthly_trade "
        "GROUP BY grain ORDER BY grain"
    ).fetchall()
    # the same trade at two grains: 4 commodity rows and 5 partner rows, equal totals
    assert grains == [("commodity", 4, 5_038_000.0), ("commodity,partner", 5, 5_038_000.0)]
    assert (
        con.execute(
            "SELECT count(*) FROM raw.customs_monthly_trade WHERE grain = "
            "'commodity' AND partner_code IS NOT NULL"
        ).fetchone()[0]
        == 0
    )


def test_declared_codes_are_recorded_per_month(con, landing):
    _load(con, landing, ["gacc_hs8_import_part2.csv"])
    assert con.execute(
        "SELECT period_month, flow, grain, code_prefix FROM raw.customs_declared_coverage "
        "ORDER BY ALL"
    ).fetchall() == [
        ("2024-01", "import", "commodity,partner", "84119990"),
        ("2024-01", "import", "commodity,partner", "84141000"),
        ("2024-02", "import", "commodity,partner", "84119990"),
        ("2024-02", "import", "commodity,partner", "84141000"),
    ]


def test_a_newer_file_wins_even_within_one_second(con, landing):
    """Load times strictly increase, so the later file wins a key whatever the clock."""
    _load(con, landing, ["gacc_hs8_import_part1.csv", "gacc_hs8_import_revised.csv"])
    times = [
        r[0]
        for r in con.execute(
            "SELECT loaded_at FROM raw.customs_load_log ORDER BY loaded_at"
        ).fetchall()
    ]
    assert times[0] < times[1]
    assert (
        con.execute(
            "SELECT value_native FROM raw.customs_monthly_trade WHERE period_month = '2024-02' "
            "AND hs8 = '84118200'"
        ).fetchone()[0]
        == 1_350_000.0
    )


def test_old_warehouse_rows_get_the_partner_grain(tmp_path):
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    cols = store.TRADE_COLUMNS.replace(",\n    grain VARCHAR", "")
    con.execute("CREATE SCHEMA raw")
    con.execute(f"CREATE TABLE raw.customs_trade_vintages ({cols})")
    con.execute(
        "INSERT INTO raw.customs_trade_vintages (period_month, flow, partner_code, "
        "hs8, regime_code, value_native) VALUES ('2019-01', 'import', '502', "
        "'85423100', NULL, 1), ('2019-01', 'import', '502', '85423100', '0110', 2)"
    )
    store.ensure_tables(con)
    assert con.execute(
        "SELECT grain FROM raw.customs_trade_vintages ORDER BY value_native"
    ).fetchall() == [("commodity,partner",), ("commodity,partner,regime",)]
    con.close()


def test_an_empty_query_result_declared_in_a_manifest_records_no_trade(con, tmp_path):
    """The portal's empty result (a header, no rows) for a query a manifest declares
    (month and codes): nothing stored, the codes declared as asked for that month."""
    path = tmp_path / "gacc_empty_202406_import.csv"
    path.write_bytes(
        '"商品编码","商品名称","第一数量","第一计量单位","第二数量","第二计量单位",'
        '"美元",\r\n'.encode("gb18030")
    )
    path.with_name(path.name + ".manifest.json").write_text(
        '{"flow": "import", "month": "2024-06", "codes": ["84118100", "8542"]}'
    )
    parsed = parse_customs_file(con, path, table="p_empty")
    assert (parsed.rows, parsed.months, parsed.declared_codes) == (
        0,
        ["2024-06"],
        ["84118100", "8542"],
    )
    store.store_vintage(con, parsed, path)
    store.replace_current_slice(con, ["2024-06"])
    assert _current(con) == []
    assert con.execute(
        "SELECT period_month, flow, grain, code_prefix FROM raw.customs_declared_coverage "
        "ORDER BY ALL"
    ).fetchall() == [
        ("2024-06", "import", "commodity", "84118100"),
        ("2024-06", "import", "commodity", "8542"),
    ]


def test_an_empty_query_result_without_a_manifest_is_refused(con, tmp_path):
    from orchestration.lib.errors import SourceFileError

    path = tmp_path / "gacc_empty_202406_import.csv"
    path.write_bytes(
        '"商品编码","商品名称","第一数量","第一计量单位","第二数量","第二计量单位",'
        '"美元",\r\n'.encode("gb18030")
    )
    with pytest.raises(SourceFileError, match="empty query result.*manifest"):
        parse_customs_file(con, path, table="p_empty")
