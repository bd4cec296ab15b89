"""Parsing of China Customs portal exports: layouts accepted, malformed files refused whole."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import pickle
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.customs import parsing
from orchestration.lib.customs.parsing import (
    ParsedCustomsFile,
    detect_flow,
    parse_customs_file,
)
from orchestration.lib.errors import SourceFileError
from tests.customs.fixtures import (
    BASE_ROWS,
    BASE_TOTAL,
    DIMS,
    csv_text,
    gacc_rows,
    header,
    write_gacc_csv,
    write_gacc_xlsx,
)

# The GPL-3 layout samples are never copied into the project; tests that read them look
# for a workspace folder beside the clone and skip when a clone has none.
REAL_SAMPLES = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "real-samples" / "gacc_export_layout"
)

EXPECTED_COLUMNS = [
    ("line_no", "INTEGER"),
    ("period_month", "VARCHAR"),
    ("flow", "VARCHAR"),
    ("partner_code", "VARCHAR"),
    ("partner_name", "VARCHAR"),
    ("hs8", "VARCHAR"),
    ("product_name", "VARCHAR"),
    ("qty1", "DOUBLE"),
    ("unit1", "VARCHAR"),
    ("qty2", "DOUBLE"),
    ("unit2", "VARCHAR"),
    ("regime_code", "VARCHAR"),
    ("regime_name", "VARCHAR"),
    ("location_code", "VARCHAR"),
    ("location_name", "VARCHAR"),
    ("value_native", "DOUBLE"),
    ("currency", "VARCHAR"),
    ("source_file", "VARCHAR"),
    ("file_sha256", "VARCHAR"),
    ("grain", "VARCHAR"),
]


@pytest.fixture
def con():
    c = duckdb.connect()
    yield c
    c.close()


def rows_of(con, parsed: ParsedCustomsFile) -> list[dict]:
    cur = con.execute(f"SELECT * FROM {parsed.table} ORDER BY line_no")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def table_exists(con, name: str) -> bool:
    return bool(
        con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchone()[
            0
        ]
    )


def assert_refused(con, path: Path, line: int | None, field: str | None, *words: str):
    with pytest.raises(SourceFileError) as info:
        parse_customs_file(con, path, table="refused")
    err = info.value
    msg = str(err)
    assert err.file == path.name and path.name in msg
    assert err.line == line, msg
    if line is not None:
        assert f"line {line}" in msg
    assert err.field == field, msg
    if field is not None:
        assert f"field '{field}'" in msg
    for word in words:
        assert word in msg, msg
    assert not table_exists(con, "refused"), "a refused file must leave no table behind"
    return err


# --------------------------------------------------------------------------- flow


@pytest.mark.parametrize(
    ("name", "flow"),
    [
        ("gacc_soybean_2024in_gb18030.csv", "import"),
        ("gacc_soybean_2024out_gb18030.csv", "export"),
        ("GACC_2024IN.CSV", "import"),
        ("gacc-in-2024.csv", "import"),
        ("gacc.out.2024.csv", "export"),
        ("gacc 2024 in.csv", "import"),
        ("in_2024.csv", "import"),
        ("hs8_imports_2024.csv", "import"),
        ("hs8_Export_2024.xlsx", "export"),
        ("2024import.csv", "import"),
        ("海关_2024_进口.csv", "import"),
        ("2024年出口数据.csv", "export"),
        ("exports_in_usd.csv", "export"),  # a strong word beats 'in'
        ("imports_out_of_region.csv", "import"),
    ],
)
def test_detect_flow_from_name(tmp_path, name, flow):
    assert detect_flow(tmp_path / name) == flow


@pytest.mark.parametrize(
    "name",
    [
        "tin_plate.csv",  # 'in' inside a word
        "outlook_2024.csv",  # 'out' inside a word
        "gacc_2023.csv",  # nothing at all
        "printing_inks.csv",
        "gacc_进出口_2024.csv",  # combined import-and-export query
        "import_export_2024.csv",
        "2024in_out.csv",
    ],
)
def test_detect_flow_refuses_unclear_names(tmp_path, name):
    with pytest.raises(SourceFileError) as info:
        detect_flow(tmp_path / name)
    msg = str(info.value)
    assert name in msg
    assert "manifest.json" in msg and "'in'/'out'" in msg


def test_detect_flow_from_manifests(tmp_path):
    sidecar = tmp_path / "gacc_2023.csv"
    (tmp_path / "gacc_2023.csv.manifest.json").write_text(json.dumps({"flow": "export"}))
    assert detect_flow(sidecar) == "export"

    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "manifest.json").write_text(
        json.dumps({"a.csv": "import", "b.csv": {"flow": "出口"}, "tin_out.csv": "import"}),
        encoding="utf-8",
    )
    assert detect_flow(folder / "a.csv") == "import"
    assert detect_flow(folder / "b.csv") == "export"
    assert detect_flow(folder / "tin_out.csv") == "import"  # the manifest wins over the name
    assert detect_flow(folder / "c_2024out.csv") == "export"  # not listed: from the name

    nested = tmp_path / "nested"
    nested.mkdir()
    (nested / "manifest.json").write_text(json.dumps({"files": {"x.csv": "import"}}))
    assert detect_flow(nested / "x.csv") == "import"

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "y.csv.manifest.json").write_text(json.dumps({"flow": "sideways"}))
    with pytest.raises(SourceFileError, match="unknown flow"):
        detect_flow(bad / "y.csv")


def test_error_message_format():
    err = SourceFileError("a.csv", 7, "人民币", "not a number")
    assert str(err) == "a.csv, line 7, field '人民币': not a number"
    assert (err.file, err.line, err.field, err.reason) == ("a.csv", 7, "人民币", "not a number")
    assert isinstance(err, ValueError)
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err)
    assert str(SourceFileError("a.csv", None, None, "x")) == "a.csv: x"


# --------------------------------------------------------------------------- accepted


def test_gb18030_chinese_cny(con, tmp_path):
    path = write_gacc_csv(tmp_path / "gacc_hs8_2024in_gb18030.csv")
    parsed = parse_customs_file(con, path)
    assert parsed.flow == "import"
    assert parsed.currency == "CNY"
    assert parsed.header_language == "zh"
    assert parsed.encoding == "gb18030"
    assert parsed.months == ["2024-01", "2024-02", "2024-03"]
    assert parsed.rows == len(BASE_ROWS)
    assert parsed.total_value_native == BASE_TOTAL
    assert parsed.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert parsed.table == "customs_parsed"

    described = con.execute("DESCRIBE customs_parsed").fetchall()
    assert [(r[0], r[1]) for r in described] == EXPECTED_COLUMNS

    rows = rows_of(con, parsed)
    assert [r["line_no"] for r in rows] == [2, 3, 4, 5, 6]
    first = rows[0]
    assert first == {
        "line_no": 2,
        "period_month": "2024-01",
        "flow": "import",
        "partner_code": "502",
        "partner_name": "美国",
        "hs8": "84862031",
        "product_name": "分步重复光刻机",
        "qty1": 3.0,
        "unit1": "台",
        "qty2": 0.0,
        "unit2": None,
        "regime_code": None,
        "regime_name": None,
        "location_code": None,
        "location_name": None,
        "value_native": 123_456_789.0,
        "currency": "CNY",
        "source_file": path.name,
        "file_sha256": parsed.sha256,
        "grain": "commodity,partner",
    }
    assert rows[1]["hs8"] == "01012100"  # leading zero kept
    assert rows[3]["value_native"] == 7_654_321_000.0  # "7,654,321,000"
    assert rows[4]["unit1"] is None  # '?'


def test_utf8_bom_english_usd_crlf_without_trailing_comma(con, tmp_path):
    path = write_gacc_csv(
        tmp_path / "hs8 export 2024.csv",
        header("en", "USD"),
        gacc_rows("en"),
        encoding="utf-8",
        bom=True,
        trailing_comma=False,
        newline="\r\n",
    )
    parsed = parse_customs_file(con, path, table="en_usd")
    assert (parsed.flow, parsed.currency, parsed.header_language, parsed.encoding) == (
        "export",
        "USD",
        "en",
        "utf-8",
    )
    assert parsed.rows == 5 and parsed.total_value_native == BASE_TOTAL
    rows = rows_of(con, parsed)
    assert rows[0]["partner_name"] == "United States"
    assert rows[2]["product_name"] == "Processors and controllers"
    assert all(r["currency"] == "USD" for r in rows)
    assert rows[-1]["line_no"] == 6 and rows[-1]["value_native"] == 42.0


def test_utf8_without_bom_and_unquoted_fields(con, tmp_path):
    path = write_gacc_csv(tmp_path / "x_out.csv", encoding="utf-8", quote_all=False)
    parsed = parse_customs_file(con, path)
    assert parsed.encoding == "utf-8" and parsed.rows == 5
    assert parsed.total_value_native == BASE_TOTAL
    assert rows_of(con, parsed)[1]["hs8"] == "01012100"


def test_english_headers_match_by_meaning_in_any_order(con, tmp_path):
    head = [
        "  YEAR AND MONTH ",
        "HS code",
        "Commodity name",
        "trading partner code",
        "Trading partner name",
        "First quantity",
        "First unit of measurement",
        "Second quantity",
        "Second unit of measurement",
        "RMB Yuan",
    ]
    order = [0, 3, 4, 1, 2, 5, 6, 7, 8, 9]  # from the zh layout to this one
    rows = [[r[i] for i in order] for r in gacc_rows("en")]
    path = write_gacc_csv(tmp_path / "reordered_in.csv", head, rows, encoding="utf-8")
    parsed = parse_customs_file(con, path)
    assert parsed.header_language == "en" and parsed.currency == "CNY"
    got = rows_of(con, parsed)
    assert [(r["partner_code"], r["hs8"]) for r in got] == [(r[1], r[4]) for r in BASE_ROWS]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_extra_dimension_columns(con, tmp_path, language):
    path = write_gacc_csv(
        tmp_path / f"dims_{language}_import.csv",
        header(language, "USD", dims=True),
        gacc_rows(language, dims=True),
    )
    parsed = parse_customs_file(con, path)
    assert parsed.currency == "USD" and parsed.header_language == language
    rows = rows_of(con, parsed)
    assert [(r["regime_code"], r["location_code"]) for r in rows] == [(d[0], d[2]) for d in DIMS]
    assert rows[1]["regime_name"] == (
        "进料对口" if language == "zh" else "Processing with imported materials"
    )
    assert rows[2]["location_name"] == ("广东省" if language == "zh" else "Guangdong")
    assert parsed.total_value_native == BASE_TOTAL


def test_excel_workbook(con, tmp_path):
    head = header("zh", "USD", dims=True)
    rows: list[list[object]] = []
    for r, d in zip(BASE_ROWS, DIMS, strict=True):
        period, pcode, pzh, _, hs8, gzh, _, qty1, unit1, value = r
        # numeric cells as a spreadsheet would store them: the HS code loses its zero
        rows.append(
            [int(period), int(pcode), pzh, int(hs8), gzh, qty1, unit1, 0, "?", float(value), *d]
        )
    rows[2][0] = dt.datetime(2024, 2, 1)  # a period typed as a date cell
    path = write_gacc_xlsx(tmp_path / "gacc_2024_进口.xlsx", head, rows)
    parsed = parse_customs_file(con, path)
    assert (parsed.flow, parsed.currency, parsed.encoding) == ("import", "USD", "xlsx")
    assert parsed.months == ["2024-01", "2024-02", "2024-03"]
    assert parsed.rows == 5 and parsed.total_value_native == BASE_TOTAL
    assert parsed.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    got = rows_of(con, parsed)
    assert got[1]["hs8"] == "01012100"
    assert got[0]["partner_code"] == "502" and got[0]["line_no"] == 2
    assert got[4]["unit1"] is None


def test_excel_bad_cell_is_refused_with_row_number(con, tmp_path):
    head = header("zh")
    rows = [list(r) for r in gacc_rows("zh")]
    rows[3][3] = "8542310"  # text cell: 7 digits is an error, not a lost zero
    path = write_gacc_xlsx(tmp_path / "bad_in.xlsx", head, rows)
    assert_refused(con, path, 5, "商品编码", "8 digits", "'8542310'")


def test_blank_lines_keep_line_numbers(con, tmp_path):
    text = csv_text(header(), gacc_rows())
    lines = text.split("\n")
    lines.insert(3, "")  # an empty line 4
    lines.insert(5, "   ")  # a blank line 6
    path = write_gacc_csv(tmp_path / "blank_in.csv", text="\n".join(lines) + "\n\n")
    parsed = parse_customs_file(con, path)
    assert parsed.rows == 5
    assert [r["line_no"] for r in rows_of(con, parsed)] == [2, 3, 5, 7, 8]

    bad = gacc_rows()
    bad[4][9] = "12a,000"
    lines = csv_text(header(), bad).split("\n")
    lines.insert(3, "")
    path = write_gacc_csv(tmp_path / "blank_bad_in.csv", text="\n".join(lines))
    assert_refused(con, path, 7, "人民币", "not a number", "12a,000")


def test_table_is_replaced_and_named(con, tmp_path):
    a = write_gacc_csv(tmp_path / "a_in.csv")
    b = write_gacc_csv(tmp_path / "b_in.csv", rows=gacc_rows()[:2])
    parse_customs_file(con, a, table="t1")
    parsed = parse_customs_file(con, b, table="t1")
    assert con.execute("SELECT count(*) FROM t1").fetchone()[0] == 2 == parsed.rows
    assert con.execute("SELECT DISTINCT source_file FROM t1").fetchall() == [("b_in.csv",)]
    temp = con.execute("SELECT temporary FROM duckdb_tables() WHERE table_name = 't1'").fetchone()[
        0
    ]
    assert temp is True
    leftovers = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '%rejects%'"
    ).fetchall()
    assert leftovers == []


@pytest.mark.parametrize("chunk", [5, 7, 64])
def test_streaming_in_tiny_chunks_gives_the_same_table(con, tmp_path, monkeypatch, chunk):
    """Chunk boundaries may split a multibyte character, a CRLF pair or a line."""
    path = write_gacc_csv(
        tmp_path / "chunks_in.csv",
        header("zh", dims=True),
        gacc_rows("zh", dims=True),
        newline="\r\n",
    )
    reference = rows_of(con, parse_customs_file(con, path, table="ref"))
    monkeypatch.setattr(parsing, "CHUNK_BYTES", chunk)
    parsed = parse_customs_file(con, path, table="small")
    assert rows_of(con, parsed) == reference
    assert parsed.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_utf8_looking_start_then_gb18030(con, tmp_path, monkeypatch):
    """The first chunk is plain ASCII (valid UTF-8); GB18030 bytes come later."""
    rows = gacc_rows("en")
    rows[-1][2] = "美国"
    path = write_gacc_csv(tmp_path / "late_in.csv", header("en"), rows, encoding="gb18030")
    monkeypatch.setattr(parsing, "CHUNK_BYTES", 64)
    parsed = parse_customs_file(con, path)
    assert parsed.encoding == "gb18030"
    assert rows_of(con, parsed)[-1]["partner_name"] == "美国"


def test_exactly_portal_limit_warns(con, tmp_path):
    row = gacc_rows()[0]
    rows = [[row[0], f"{i:04d}", *row[2:]] for i in range(parsing.PORTAL_ROW_LIMIT)]
    path = write_gacc_csv(tmp_path / "limit_in.csv", rows=rows)
    parsed = parse_customs_file(con, path)
    assert parsed.rows == parsing.PORTAL_ROW_LIMIT
    assert parsed.warnings and "10,000" in parsed.warnings[0]


# --------------------------------------------------------------------------- refused


def _with(cell_row: int, col: int, value: str, language: str = "zh") -> list[list[str]]:
    rows = gacc_rows(language)
    rows[cell_row][col] = value
    return rows


@pytest.mark.parametrize(
    ("row", "col", "value", "field", "words"),
    [
        (2, 9, "12a,000", "人民币", ("not a number", "'12a,000'")),
        (0, 9, "", "人民币", ("not a number",)),
        (1, 9, "1,23,456", "人民币", ("not a number",)),
        (3, 5, "1.2.3", "第一数量", ("not a number",)),
        (4, 7, "abc", "第二数量", ("not a number",)),
        (1, 0, "2024-01", "数据年月", ("YYYYMM",)),
        (3, 0, "202413", "数据年月", ("month 01-12",)),
        (0, 0, "24001", "数据年月", ("YYYYMM",)),
        (2, 3, "8542310", "商品编码", ("8 digits",)),
        (2, 3, "854231001", "商品编码", ("8 digits",)),
        (2, 3, "8542A100", "商品编码", ("8 digits",)),
        (4, 1, "", "贸易伙伴编码", ("empty trading partner code",)),
    ],
)
def test_bad_field_refused(con, tmp_path, row, col, value, field, words):
    path = write_gacc_csv(tmp_path / "bad_in.csv", rows=_with(row, col, value))
    assert_refused(con, path, row + 2, field, *words)


def test_first_bad_line_is_reported(con, tmp_path):
    rows = gacc_rows()
    rows[4][9] = "oops"
    rows[2][3] = "123"
    path = write_gacc_csv(tmp_path / "two_errors_in.csv", rows=rows)
    assert_refused(con, path, 4, "商品编码")


def test_bad_number_in_english_usd_file(con, tmp_path):
    path = write_gacc_csv(
        tmp_path / "en_out.csv",
        header("en", "USD"),
        _with(1, 9, "12a,000", "en"),
        encoding="utf-8",
        bom=True,
    )
    assert_refused(con, path, 3, "US dollar", "12a,000")


def test_missing_field_on_a_line(con, tmp_path):
    rows = gacc_rows()
    del rows[2][4]  # product name dropped: 9 fields + trailing comma
    path = write_gacc_csv(tmp_path / "short_in.csv", rows=rows)
    err = assert_refused(
        con,
        path,
        4,
        "(trailing empty field)",
        "wrong column count",
        "expected 11 fields",
        "found 10",
    )
    assert "header ends with a comma" not in err.reason


def test_extra_field_on_a_line(con, tmp_path):
    rows = gacc_rows()
    rows[1].append("surplus")
    path = write_gacc_csv(tmp_path / "long_in.csv", rows=rows)
    assert_refused(con, path, 3, "(trailing empty field)", "wrong column count", "'surplus'")

    rows = gacc_rows()
    rows[3] += ["surplus", "more"]
    path = write_gacc_csv(tmp_path / "longer_in.csv", rows=rows)
    assert_refused(con, path, 5, "(extra field 12)", "wrong column count", "found 13")


def test_missing_field_without_trailing_commas(con, tmp_path):
    rows = gacc_rows()
    rows[0] = rows[0][:-1]
    path = write_gacc_csv(tmp_path / "short_out.csv", rows=rows, trailing_comma=False)
    assert_refused(con, path, 2, "人民币", "wrong column count", "expected 10 fields")


def test_value_in_trailing_column(con, tmp_path):
    """Header with a trailing comma, one line without it but with one more value."""
    text = csv_text(header(), gacc_rows())
    lines = text.split("\n")
    lines[3] = lines[3].rstrip(",") + ',"999"'
    path = write_gacc_csv(tmp_path / "trail_in.csv", text="\n".join(lines))
    assert_refused(con, path, 4, "(trailing empty field)", "wrong column count", "'999'")


def test_line_without_trailing_comma_when_header_has_one(con, tmp_path):
    lines = csv_text(header(), gacc_rows()).split("\n")
    lines[5] = lines[5].rstrip(",")
    path = write_gacc_csv(tmp_path / "notrail_in.csv", text="\n".join(lines))
    assert_refused(con, path, 6, "(trailing empty field)", "header ends with a comma")


def test_stray_quote(con, tmp_path):
    lines = csv_text(header(), gacc_rows()).split("\n")
    lines[2] = lines[2].replace('"德国"', '"德"国"')
    path = write_gacc_csv(tmp_path / "quote_in.csv", text="\n".join(lines))
    err = assert_refused(con, path, 3, "贸易伙伴名称")
    assert "quot" in err.reason


@pytest.mark.parametrize("content", [b"", b"\n\n", b"\xef\xbb\xbf", b"   \r\n"])
def test_empty_file(con, tmp_path, content):
    path = tmp_path / "empty_in.csv"
    path.write_bytes(content)
    assert_refused(con, path, 1, "header", "empty file")


def test_header_only(con, tmp_path):
    path = write_gacc_csv(tmp_path / "head_only_in.csv", rows=[])
    assert_refused(con, path, 2, "(all)", "no data rows")


def test_unknown_header(con, tmp_path):
    head = header()
    head[4] = "商品描述"
    path = write_gacc_csv(tmp_path / "unknown_in.csv", head=head)
    err = assert_refused(con, path, 1, "商品描述", "unknown column header")
    assert "数据年月" in err.reason and "Date of data" in err.reason


def test_missing_required_column(con, tmp_path):
    head, rows = header(), gacc_rows()
    del head[3]
    for r in rows:
        del r[3]
    path = write_gacc_csv(tmp_path / "nohs_in.csv", head, rows)
    assert_refused(con, path, 1, "商品编码", "required column missing")


def test_missing_value_column(con, tmp_path):
    head, rows = header()[:-1], [r[:-1] for r in gacc_rows()]
    path = write_gacc_csv(tmp_path / "novalue_in.csv", head, rows)
    assert_refused(con, path, 1, "value (人民币 or 美元)", "required column missing")


def test_two_currencies_refused(con, tmp_path):
    head = header() + ["美元"]
    rows = [r + ["1"] for r in gacc_rows()]
    path = write_gacc_csv(tmp_path / "both_in.csv", head, rows)
    assert_refused(con, path, 1, "美元", "one currency")


def test_duplicate_column_refused(con, tmp_path):
    head = header()
    head[2] = "Trading partner"
    head[1] = "贸易伙伴名称"
    path = write_gacc_csv(tmp_path / "dup_in.csv", head, gacc_rows())
    assert_refused(con, path, 1, "Trading partner", "twice")


def test_invalid_gb18030_bytes(con, tmp_path):
    path = write_gacc_csv(tmp_path / "broken_in.csv")
    data = path.read_bytes()
    lines = data.split(b"\n")
    lines[4] = lines[4].replace(b'"133"', b'"\x81\x20"')  # not a GB18030 sequence
    path.write_bytes(b"\n".join(lines))
    assert b"\x81\x20" in path.read_bytes()
    assert_refused(con, path, 5, "(encoding)", "gb18030")


def test_unknown_flow_refused_before_reading(con, tmp_path):
    path = write_gacc_csv(tmp_path / "gacc_2024.csv")
    err = assert_refused(con, path, None, None, "manifest")
    assert "import" in err.reason


def test_legacy_xls_refused(con, tmp_path):
    path = tmp_path / "old_in.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert_refused(con, path, None, None, ".xlsx")


# --------------------------------------------------------------------------- real samples


def test_real_portal_samples(con):
    if not REAL_SAMPLES.is_dir():
        pytest.skip(f"{REAL_SAMPLES} not present")
    path = REAL_SAMPLES / "gacc_soybean_2024in_gb18030.csv"
    parsed = parse_customs_file(con, path, table="real_in")
    assert parsed.flow == "import"
    assert parsed.currency == "CNY"
    assert parsed.header_language == "zh" and parsed.encoding == "gb18030"
    assert parsed.rows == 36  # 37 lines minus the header
    assert parsed.months == [f"2024-{m:02d}" for m in range(1, 13)]
    # by hand: line 3 reads "202401","410","巴西","12019019",...,"16,536,067,327",
    row = con.execute(
        "SELECT line_no, partner_name, qty1, unit1, unit2, value_native FROM real_in "
        "WHERE period_month = '2024-01' AND partner_code = '410' AND hs8 = '12019019'"
    ).fetchall()
    assert row == [(3, "巴西", 4_074_670_531.0, "千克", None, 16_536_067_327.0)]
    assert parsed.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()

    out = parse_customs_file(
        con, REAL_SAMPLES / "gacc_soybean_2024out_gb18030.csv", table="real_out"
    )
    assert out.flow == "export" and out.rows == 29
    assert con.execute("SELECT count(*) FROM real_out WHERE hs8 = '12011000'").fetchone()[0] > 0

    with pytest.raises(SourceFileError, match="manifest"):
        detect_flow(REAL_SAMPLES / "gacc_soybean_2023_gb18030.csv")


def test_memory_limit_is_restored(con, tmp_path):
    path = write_gacc_csv(tmp_path / "mem_in.csv")
    con.execute("SET memory_limit = '3GB'")
    before = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    parse_customs_file(con, path)
    assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == before
    con.execute("SET memory_limit = '300MB'")  # already below the cap: left alone
    parse_customs_file(con, path)
    assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == "286.1 MiB"
