"""Files of any grain, the month from the manifest or the file name, declared codes, and
the refusals at parse time: duplicate keys (both lines) and negative values."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.customs.parsing import parse_customs_file
from orchestration.lib.errors import SourceFileError
from tests.customs.fixtures import csv_text, gacc_rows, header, write_gacc_csv

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "customs"
REAL = FIXTURES / "real"
LAYOUT_SAMPLES = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "real-samples" / "gacc_export_layout"
)


@pytest.fixture()
def con():
    c = duckdb.connect()
    yield c
    c.close()


def _rows(con, table: str, columns: str) -> list[tuple]:
    return con.execute(f"SELECT {columns} FROM {table} ORDER BY line_no").fetchall()


# --------------------------------------------------------------------------- real samples


def test_real_chinese_full_without_period(con):
    """Chinese headers, GB18030, no period column: the month from the manifest. Values by
    hand from the file, line 5: "29012920","乙炔","133","韩国","10","一般贸易","31",
    "上海市","6750","千克","0","?","2,776,533"."""
    parsed = parse_customs_file(con, REAL / "chinese-full.gb18030.csv", table="zh")
    assert (parsed.flow, parsed.currency, parsed.encoding) == ("import", "CNY", "gb18030")
    assert parsed.grain == "commodity,partner,regime,location"
    assert parsed.months == ["2026-01"] and parsed.rows == 5
    assert parsed.total_value_native == 5_848_714 + 436_449 + 92_251 + 2_776_533 + 3_361
    assert _rows(
        con,
        "zh",
        "line_no, period_month, hs8, partner_code, partner_name, "
        "regime_code, regime_name, location_code, location_name, qty1, unit1, "
        "qty2, unit2, value_native",
    )[3] == (
        5,
        "2026-01",
        "29012920",
        "133",
        "韩国",
        "10",
        "一般贸易",
        "31",
        "上海市",
        6750.0,
        "千克",
        0.0,
        None,
        2_776_533.0,
    )


def test_real_english_degenerate_commodity_only(con):
    """English headers, no partner and no period column: grain commodity."""
    parsed = parse_customs_file(con, REAL / "english-degenerate.csv", table="deg")
    assert (parsed.currency, parsed.header_language, parsed.grain) == ("USD", "en", "commodity")
    assert parsed.months == ["2026-01"]
    assert _rows(con, "deg", "hs8, product_name, qty1, unit1, partner_code, value_native") == [
        ("29012920", "Acetylene", 4333.0, "Kilogram", None, 419_601.0),
        (
            "29012990",
            "Unsaturated acyclic hydrocarbons, nes",
            14_198_093.0,
            "Kilogram",
            None,
            17_715_334.0,
        ),
        ("29021100", "Cyclohexane", 383.0, "Kilogram", None, 10_451.0),
    ]


@pytest.mark.parametrize("name", ["english-full.gb18030.csv", "english-full-permutated.utf8.csv"])
def test_real_english_full_in_either_order_and_encoding(con, name):
    """The same five rows whatever the column order and encoding; line 5 by hand:
    "202601","29012920","Acetylene","143","Taiwan，China","15","Processing with Imported
    Materials","61","Shaanxi Province","1248","Kilogram","0","?","234,351"."""
    parsed = parse_customs_file(con, REAL / name, table="en")
    assert parsed.encoding == ("gb18030" if "gb18030" in name else "utf-8")
    assert parsed.grain == "commodity,partner,regime,location"
    assert parsed.months == ["2026-01"] and parsed.rows == 5
    rows = _rows(
        con,
        "en",
        "period_month, hs8, partner_code, regime_code, regime_name, "
        "location_code, location_name, qty1, value_native, currency",
    )
    assert rows[3] == (
        "2026-01",
        "29012920",
        "143",
        "15",
        "Processing with Imported Materials",
        "61",
        "Shaanxi Province",
        1248.0,
        234_351.0,
        "USD",
    )
    assert [r[2] for r in rows] == ["110", "121", "133", "143", "412"]


def test_real_soybean_layout_samples_load_exactly(con):
    """The GPL layout samples (read from beside the clone, never copied): every line loads, with
    the partner grain, and the totals equal a plain sum of the file's value column."""
    if not LAYOUT_SAMPLES.is_dir():
        pytest.skip(f"{LAYOUT_SAMPLES} not present")
    import csv

    for name in (
        "gacc_soybean_2024in_gb18030.csv",
        "gacc_soybean_2024out_gb18030.csv",
        "gacc_soybean_2025in_gb18030.csv",
        "gacc_soybean_2025out_gb18030.csv",
    ):
        path = LAYOUT_SAMPLES / name
        lines = list(csv.reader(path.read_text(encoding="gb18030").splitlines()))
        body = [r for r in lines[1:] if r]
        parsed = parse_customs_file(con, path, table="soy")
        assert parsed.grain == "commodity,partner"
        assert parsed.rows == len(body)
        assert parsed.total_value_native == sum(float(r[9].replace(",", "")) for r in body)


# --------------------------------------------------------------------------- grains


def test_partnerless_file_loads_with_commodity_grain(con, tmp_path):
    head = [
        "数据年月",
        "商品编码",
        "商品名称",
        "第一数量",
        "第一计量单位",
        "第二数量",
        "第二计量单位",
        "美元",
    ]
    rows = [
        ["202406", "85423100", "处理器", "1,000", "个", "0", "?", "12,345"],
        ["202406", "01012100", "马", "3", "千克", "0", "?", "700"],
    ]
    parsed = parse_customs_file(con, write_gacc_csv(tmp_path / "all_codes_in.csv", head, rows))
    assert parsed.grain == "commodity" and parsed.rows == 2
    assert con.execute(
        "SELECT hs8, partner_code, value_native FROM customs_parsed ORDER BY hs8"
    ).fetchall() == [("01012100", None, 700.0), ("85423100", None, 12345.0)]


def test_grain_from_dimension_columns(con, tmp_path):
    head = [
        "数据年月",
        "商品编码",
        "商品名称",
        "贸易方式编码",
        "贸易方式名称",
        "第一数量",
        "第一计量单位",
        "第二数量",
        "第二计量单位",
        "人民币",
    ]
    rows = [
        ["202406", "85423100", "处理器", "0110", "一般贸易", "1", "个", "0", "?", "9"],
        ["202406", "85423100", "处理器", "0615", "进料对口", "1", "个", "0", "?", "8"],
    ]
    parsed = parse_customs_file(con, write_gacc_csv(tmp_path / "regime_in.csv", head, rows))
    assert parsed.grain == "commodity,regime" and parsed.rows == 2


def test_month_from_file_name_and_its_ambiguity(con, tmp_path):
    head = [
        "商品编码",
        "商品名称",
        "第一数量",
        "第一计量单位",
        "第二数量",
        "第二计量单位",
        "人民币",
    ]
    rows = [["85423100", "处理器", "1", "个", "0", "?", "10"]]
    parsed = parse_customs_file(con, write_gacc_csv(tmp_path / "gacc_202407_in.csv", head, rows))
    assert parsed.months == ["2024-07"]
    with pytest.raises(SourceFileError, match="no period column"):
        parse_customs_file(con, write_gacc_csv(tmp_path / "gacc_in.csv", head, rows))
    with pytest.raises(SourceFileError, match="several months"):
        parse_customs_file(
            con, write_gacc_csv(tmp_path / "gacc_2024-07_2024-08_in.csv", head, rows)
        )


def test_manifest_month_must_agree_with_the_period_column(con, tmp_path):
    path = write_gacc_csv(tmp_path / "x.csv")
    (tmp_path / "x.csv.manifest.json").write_text(
        json.dumps({"flow": "import", "month": "2024-01"})
    )
    with pytest.raises(SourceFileError) as info:
        parse_customs_file(con, path)
    assert info.value.line == 4 and info.value.field == "数据年月"  # first 202402 row
    assert "2024-01" in info.value.reason


def test_declared_codes_from_manifest(con, tmp_path):
    path = write_gacc_csv(tmp_path / "q.csv")
    (tmp_path / "q.csv.manifest.json").write_text(
        json.dumps({"flow": "export", "codes": ["85423100", "8486", "85423100"]})
    )
    assert parse_customs_file(con, path).declared_codes == ["8486", "85423100"]
    (tmp_path / "q.csv.manifest.json").write_text(json.dumps({"flow": "export", "codes": "all"}))
    assert parse_customs_file(con, path).declared_codes == [""]
    (tmp_path / "q.csv.manifest.json").write_text(
        json.dumps({"flow": "export", "codes": ["8542A"]})
    )
    with pytest.raises(SourceFileError, match="codes"):
        parse_customs_file(con, path)


def test_name_column_without_code_refused(con, tmp_path):
    head = [
        "数据年月",
        "商品编码",
        "商品名称",
        "贸易伙伴名称",
        "第一数量",
        "第一计量单位",
        "第二数量",
        "第二计量单位",
        "人民币",
    ]
    rows = [["202406", "85423100", "处理器", "美国", "1", "个", "0", "?", "10"]]
    with pytest.raises(SourceFileError) as info:
        parse_customs_file(con, write_gacc_csv(tmp_path / "name_in.csv", head, rows))
    assert info.value.line == 1 and info.value.field == "贸易伙伴名称"


# --------------------------------------------------------------------------- refused


def test_duplicate_key_refused_with_both_lines(con, tmp_path):
    rows = gacc_rows()
    rows.append(list(rows[2]))  # line 4 again, as line 7
    rows[-1][9] = "1"
    path = write_gacc_csv(tmp_path / "dup_in.csv", rows=rows)
    with pytest.raises(SourceFileError) as info:
        parse_customs_file(con, path)
    err = info.value
    assert (err.file, err.line) == ("dup_in.csv", 7)
    assert "lines 4 and 7" in err.reason and "85423100" in err.reason
    assert err.field == "商品编码+贸易伙伴编码"
    assert (
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'customs_parsed'"
        ).fetchone()[0]
        == 0
    )


def test_same_code_and_partner_with_other_dimensions_is_not_a_duplicate(con, tmp_path):
    rows = gacc_rows(dims=True)
    extra = list(rows[0])
    extra[10] = "0615"  # same month, partner and code, another regime
    rows.append(extra)
    parsed = parse_customs_file(
        con, write_gacc_csv(tmp_path / "dims_in.csv", header(dims=True), rows)
    )
    assert parsed.rows == 6 and parsed.grain == "commodity,partner,regime,location"
    extra = list(rows[0])  # and a true duplicate of line 2 with all its dimensions
    rows.append(extra)
    with pytest.raises(SourceFileError, match="lines 2 and 8"):
        parse_customs_file(con, write_gacc_csv(tmp_path / "dims2_in.csv", header(dims=True), rows))


@pytest.mark.parametrize(
    ("col", "value", "field", "what"),
    [
        (9, "-1,000", "人民币", "negative value"),
        (5, "-3", "第一数量", "negative quantity"),
        (7, "-0.5", "第二数量", "negative quantity"),
    ],
)
def test_negative_values_refused(con, tmp_path, col, value, field, what):
    rows = gacc_rows()
    rows[3][col] = value
    path = write_gacc_csv(tmp_path / "neg_in.csv", rows=rows)
    with pytest.raises(SourceFileError) as info:
        parse_customs_file(con, path)
    err = info.value
    assert (err.file, err.line, err.field) == ("neg_in.csv", 5, field)
    assert what in err.reason and value in err.reason


def test_empty_dimension_code_refused(con, tmp_path):
    rows = gacc_rows(dims=True)
    rows[1][12] = ""
    text = csv_text(header(dims=True), rows)
    path = write_gacc_csv(tmp_path / "nodim_in.csv", text=text)
    with pytest.raises(SourceFileError) as info:
        parse_customs_file(con, path)
    assert (info.value.line, info.value.field) == (3, "注册地编码")
