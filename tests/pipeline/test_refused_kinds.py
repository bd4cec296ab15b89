"""Every kind of bad customs file, dropped at once into a loaded data folder with one good
file: one run refuses each bad file whole (file, line, field in its reason), stores
nothing (the good file neither), leaves every published table as it was, and the next run
loads the good file."""

import duckdb

from tests.conftest import WINDOW

HEADER = [
    "数据年月",
    "贸易伙伴编码",
    "贸易伙伴名称",
    "商品编码",
    "商品名称",
    "第一数量",
    "第一计量单位",
    "第二数量",
    "第二计量单位",
    "美元",
]


def _line(cells: list[str]) -> str:
    return ",".join(f'"{c}"' for c in cells) + ",\r\n"


def _row(month="201905", partner="502", code="85423100", value="1,000") -> list[str]:
    return [month, partner, "美国", code, "处理器", "10", "千克", "0", "?", value]


def _file(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    return (_line(header) + "".join(_line(r) for r in rows)).encode("gb18030")


def _without(cells: list[str], index: int) -> list[str]:
    return cells[:index] + cells[index + 1 :]


GOOD = _row(code="01012100", value="7,000")
# file name -> (bytes, whether the reason can name a line)
KINDS = {
    "bad_negative_import.csv": (_file([GOOD, _row(value="-1,000")]), True),
    "bad_duplicate_key_import.csv": (_file([_row(value="1,000"), _row(value="2,000")]), True),
    "bad_number_import.csv": (_file([_row(value="12x,000")]), True),
    "bad_month_import.csv": (_file([_row(month="201913")]), True),
    "bad_short_code_import.csv": (_file([_row(code="8542310")]), True),
    "bad_missing_column_import.csv": (_file([_without(_row(), 3)], _without(HEADER, 3)), True),
    "bad_extra_field_import.csv": (_file([_row() + ["x"]]), True),
    "bad_truncated_import.csv": (_file([_row()])[:-25], True),
    "bad_binary_import.csv": (bytes(range(256)) * 4, True),
    "bad_empty_import.csv": (b"", True),
    "bad_header_only_import.csv": (_file([]), True),
    "bad_currency_import.csv": (_file([_row()], HEADER[:-1] + ["欧元"]), True),
    "bad_no_flow_2019_05.csv": (_file([_row()]), False),
}
PUBLISHED = [
    "raw.customs_monthly_trade",
    "raw.customs_trade_vintages",
    "marts.fct_tech_group_monthly",
    "indicators.ind_group_patterns",
    "indicators.ind_batch_index",
]


def _tables(settings) -> dict[str, list]:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in PUBLISHED}
    finally:
        con.close()


def test_every_bad_kind_is_refused_whole_and_the_good_file_loads_next(first_run):
    from orchestration.runner import run_pipeline

    settings, _ = first_run
    landing = settings.landing("customs")
    before = _tables(settings)
    good = landing / "gacc_good_2019_05_import.csv"
    good.write_bytes(_file([GOOD]))
    for name, (content, _) in KINDS.items():
        (landing / name).write_bytes(content)

    report = run_pipeline(settings, month_from=WINDOW[0], month_to=WINDOW[1])
    assert not report.ok
    text = report.render()
    assert _tables(settings) == before  # byte for byte: nothing of the run was stored
    for name, (_, names_a_line) in KINDS.items():
        refused = landing / "_refused" / name
        assert not (landing / name).exists() and refused.exists(), name
        why = refused.with_name(name + ".why.txt").read_text(encoding="utf-8")
        assert name in why and name in text, name
        assert ("line " in why) == names_a_line, why
    assert good.exists()  # not refused: it waits for a run without bad files

    report = run_pipeline(settings, month_from=WINDOW[0], month_to=WINDOW[1])
    assert report.ok, report.render()
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        stored = con.execute(
            "SELECT value_native FROM raw.customs_monthly_trade WHERE hs8 = '01012100' "
            "AND period_month = '2019-05' AND source_file = ?",
            [good.name],
        ).fetchall()
    finally:
        con.close()
    assert stored == [(7000.0,)]
