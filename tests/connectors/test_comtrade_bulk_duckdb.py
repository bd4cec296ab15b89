"""One normalization for every format: a bulk file and the same records as API records
(load_records) give identical rows and the same errors."""

import csv
import gzip
import io
import math
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.lib.comtrade.bulk_duckdb import (
    BLANK_TEXTS,
    defaults,
    load_bulk_file,
    load_records,
)
from orchestration.lib.comtrade.files import read_comtrade_file
from orchestration.lib.comtrade.records import (
    API_FIELDS,
    COLUMNS,
    KEY,
    SCHEMA,
    _blank,
    norm_header,
    schema_sql,
)
from orchestration.lib.errors import SourceFileError
from orchestration.synthetic.comtrade import generate_comtrade
from tests.connectors.fake_servers import comtrade_record

REPO = Path(__file__).resolve().parents[2]
DOUBLES = [name for name, kind in SCHEMA if kind == "DOUBLE"]


# ---------------------------------------------------------------------------------------
# Helpers


def _table() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw")
    con.execute(schema_sql("raw.flows"))
    return con


def _load(path: Path, **kwargs) -> tuple[int, list[tuple]]:
    con = _table()
    n = load_bulk_file(con, path, "raw.flows", **kwargs)
    rows = con.execute(f"SELECT {', '.join(COLUMNS)} FROM raw.flows").fetchall()
    assert n == len(rows)
    return n, rows


def _frame_rows(df: pd.DataFrame) -> list[tuple]:
    assert list(df.columns) == COLUMNS
    cast = [{"INTEGER": int, "DOUBLE": float, "VARCHAR": str}[kind] for _, kind in SCHEMA]
    return [
        tuple(None if pd.isna(v) else f(v) for f, v in zip(cast, rec, strict=True))
        for rec in df.itertuples(index=False)
    ]


def _sorted(rows: list[tuple]) -> list[tuple]:
    at = [COLUMNS.index(k) for k in KEY]
    return sorted(rows, key=lambda r: tuple(str(r[i]) for i in at))


def _assert_same(got: list[tuple], expected: list[tuple]) -> None:
    assert len(got) == len(expected)
    doubles = {COLUMNS.index(c) for c in DOUBLES}
    for g, e in zip(_sorted(got), _sorted(expected), strict=True):
        for i, (a, b) in enumerate(zip(g, e, strict=True)):
            if i in doubles and a is not None and b is not None:
                assert a == pytest.approx(b, rel=1e-12) or (math.isinf(a) and a == b), (
                    COLUMNS[i],
                    g,
                    e,
                )
            else:
                assert a == b, (COLUMNS[i], g, e)


def _records_of(path: Path) -> list[dict]:
    """The file's data rows as records (API field names, the cells' text), blank lines
    left out: what an API response of the same records would hold."""
    raw = path.read_bytes()
    raw = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first else ("," if "," in first else ";")
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    names = [API_FIELDS.get(norm_header(h)) for h in rows[0]]
    return [
        {n: v for n, v in zip(names, row, strict=True) if n}
        for row in rows[1:]
        if any(cell for cell in row)
    ]


def _api_rows(records: list[dict], path: Path, years=None, vintage=None, origin=None):
    vintage, origin = defaults(path, vintage, origin)
    con = _table()
    load_records(
        con,
        records,
        "raw.flows",
        file="api",
        source="bulk",
        origin=origin,
        vintage=vintage,
        years=years,
    )
    return con.execute(f"SELECT {', '.join(COLUMNS)} FROM raw.flows").fetchall()


def _check_like_api(path: Path, records: list[dict] | None = None, **kwargs) -> list[tuple]:
    """load_bulk_file's rows == load_records' rows of the same records (years filter
    applied to both); ``records`` default to the file's rows read by Python's csv."""
    n, got = _load(path, **kwargs)
    expected = _api_rows(records if records is not None else _records_of(path), path, **kwargs)
    _assert_same(got, expected)
    return got


def _text(
    records: list[dict],
    delimiter: str = "\t",
    rename=None,
    newline: str = "\n",
    extra: dict[str, str] | None = None,
) -> str:
    fields = list(records[0]) + list(extra or {})
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    writer.writerow([rename(f) if rename else f for f in fields])
    for r in records:
        row = {**r, **(extra or {})}
        writer.writerow(["" if row[f] is None else str(row[f]) for f in fields])
    return buf.getvalue()


def _write(path: Path, text: str, gz: bool = False, encoding: str = "utf-8") -> Path:
    data = text.encode(encoding)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def _records() -> list[dict]:
    """Kept rows, and rows that every filter drops."""
    rec = comtrade_record
    return [
        rec(2021, 156, "M", 0, "854231", 1000.0),
        rec(2021, 156, "X", 0, "854231", 250.0),
        rec(2021, 156, "M", 392, "854231", 40.0),
        rec(2021, 156, "M", 0, "854231", 1.0, partner2=392),  # partner2 breakdown
        rec(2021, 156, "M", 0, "854231", 2.0, customs="C01"),  # customs breakdown
        rec(2021, 156, "M", 0, "854231", 3.0, mot=1000),  # transport breakdown
        rec(2021, 156, "RX", 0, "854231", 4.0),  # re-export
        rec(2021, 156, "RM", 0, "854231", 4.5),  # re-import
        rec(2021, 156, "M", 0, "854", 5.0),  # no HS level: dropped
        rec(2021, 156, "M", 0, "8542", 6.0),  # heading: kept, HS4
        rec(2021, 156, "M", 0, "TOTAL", 9000.0),
        rec(2021, 842, "X", 0, "854231", 700.0, cl="H6"),
    ]


# ---------------------------------------------------------------------------------------
# (1) Same rows from a bulk file and from API records


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> list[Path]:
    out = tmp_path_factory.mktemp("synthetic")
    return generate_comtrade(
        out, REPO / "data" / "reference", REPO / "dbt_project" / "seeds" / "reference"
    )


def test_synthetic_generator_output_same_rows(synthetic):
    assert len(synthetic) == 10
    total = 0
    for path in synthetic:
        rows = _check_like_api(path)
        assert rows and {r[COLUMNS.index("origin")] for r in rows} == {"synthetic"}
        assert {r[COLUMNS.index("source")] for r in rows} == {"bulk"}
        total += len(rows)
    assert total > 40_000


def test_synthetic_with_explicit_vintage_and_origin(synthetic):
    rows = _check_like_api(synthetic[0], vintage="2025-01-01", origin="real")
    assert {(r[COLUMNS.index("vintage")], r[COLUMNS.index("origin")]) for r in rows} == {
        ("2025-01-01", "real")
    }


def test_filters_tsv_gz_with_vintage_in_name(tmp_path):
    path = _write(
        tmp_path / "COMTRADE-FINAL-CA1562021H5[2023-01-03].gz", _text(_records()), gz=True
    )
    rows = _check_like_api(path)
    kept = sorted(
        (
            r[COLUMNS.index("reporter_code")],
            r[COLUMNS.index("partner_code")],
            r[COLUMNS.index("flow")],
            r[COLUMNS.index("hs6")],
            r[COLUMNS.index("primary_value_usd")],
        )
        for r in rows
    )
    assert kept == [
        (156, 0, "export", "854231", 250.0),
        (156, 0, "import", "8542", 6.0),
        (156, 0, "import", "854231", 1000.0),
        (156, 0, "import", "TOTAL", 9000.0),
        (156, 392, "import", "854231", 40.0),
        (842, 0, "export", "854231", 700.0),
    ]
    assert {r[COLUMNS.index("vintage")] for r in rows} == {"2023-01-03"}
    assert {r[COLUMNS.index("origin")] for r in rows} == {"real"}
    by_cls = {
        r[COLUMNS.index("classification_code")]: r[COLUMNS.index("hs_revision")] for r in rows
    }
    assert by_cls == {"H5": "HS2017", "H6": "HS2022"}
    iso, code = COLUMNS.index("partner_iso3"), COLUMNS.index("partner_code")
    assert {r[iso] for r in rows if r[code] == 0} == {"W00"}


def test_csv_snake_case_header_and_synthetic_origin(tmp_path):
    def snake(name):
        return "".join("_" + c.lower() if c.isupper() else c for c in name)

    path = _write(tmp_path / "comtrade_synthetic_2021.csv", _text(_records(), ",", snake))
    rows = _check_like_api(path, vintage="2024-02-02")
    assert {r[COLUMNS.index("origin")] for r in rows} == {"synthetic"}


def test_awkward_but_valid_cells(tmp_path):
    """Whitespace, thousands separators, case, dots in codes, 5-digit codes, blanks,
    duplicates (the last wins), blank lines, quoted delimiters, CRLF and a BOM."""
    rec = comtrade_record
    rows = [rec(2021, 156, "M", 0, "854231", 1000.0) for _ in range(12)]
    rows[1].update(flowCode=" m ", primaryValue=" 1,234.5 ", classificationCode=" h5 ")
    rows[2].update(cmdCode="8542.32", cmdDesc="Memories, other")
    rows[3].update(cmdCode="85423", aggrLevel="6")  # lost its leading zero: kept
    rows[4].update(cmdCode="85424", aggrLevel="4")  # five digits, not level 6
    rows[5].update(
        cmdCode="854233",
        partner2Code="",
        customsCode="",
        motCode=" ",
        period="",
        partnerISO="nan",
        qty="NaN",
        netWgt="None",
        grossWgt="null",
    )
    rows[6].update(cmdCode="854233", primaryValue="77")  # duplicate key: the last wins
    rows[7].update(
        cmdCode="854239",
        refYear="2021.0",
        reporterCode="1.56e2",
        partnerCode="4",
        partnerISO=" JPN ",
        altQty="1e3",
        cifvalue="inf",
    )
    rows[8].update(cmdCode="TOTAL", flowCode="x", qtyUnitAbbr="  ")
    rows[9].update(cmdCode="854290", motCode="0.0", partner2Code="-0", customsCode="c00")
    rows[10].update(cmdCode="854290", refYear="2020", period="202012")
    rows[11].update(cmdCode="abc")  # not a code: dropped
    text = _text(rows, ",", newline="\r\n", extra={"lastReleased": "2024-05-06T00:00:00"})
    lines = text.split("\r\n")
    lines.insert(4, "")  # a blank line
    lines.insert(7, "," * (len(rows[0])))  # a line of empty cells
    path = _write(tmp_path / "awkward.csv", "\ufeff" + "\r\n".join(lines))
    got = _check_like_api(path)
    hs6 = sorted(r[COLUMNS.index("hs6")] for r in got)
    assert hs6 == ["085423", "854231", "854232", "854233", "854239", "854290", "854290", "TOTAL"]
    value = {r[COLUMNS.index("hs6")]: r[COLUMNS.index("primary_value_usd")] for r in got}
    assert value["854231"] == 1234.5 and value["854233"] == 77.0  # the last one wins
    assert {r[COLUMNS.index("vintage")] for r in got} == {"2024-05-06"}


def test_semicolons_and_missing_breakdown_columns(tmp_path):
    drop = {"partner2Code", "customsCode", "motCode", "aggrLevel", "period"}
    rows = [{k: v for k, v in r.items() if k not in drop} for r in _records()]
    path = _write(tmp_path / "semi.csv", _text(rows, ";"))
    got = _check_like_api(path)
    # Without the breakdown columns the breakdown rows count as totals (the last of the
    # same key wins), and without aggrLevel nothing else changes.
    assert len(got) == 6
    imports = [
        r
        for r in got
        if r[COLUMNS.index("flow")] == "import"
        and r[COLUMNS.index("partner_code")] == 0
        and r[COLUMNS.index("cmd_level")] == "HS6"
    ]
    assert [r[COLUMNS.index("primary_value_usd")] for r in imports] == [3.0]


def test_cp1252_file(tmp_path):
    rows = _records()
    rows[0].update(reporterDesc="Côte d’Ivoire", qtyUnitAbbr="m³")
    path = _write(tmp_path / "latin.txt", _text(rows), encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    got = _check_like_api(path)
    assert "m³" in {r[COLUMNS.index("qty_unit")] for r in got}


def test_blank_texts_match_records():
    assert all(_blank(t) for t in BLANK_TEXTS)
    assert not any(_blank(t) for t in ("NULL", "NAN", "0", "-", "none"))


def test_rows_are_appended_to_what_the_table_holds(tmp_path):
    path = _write(tmp_path / "a.txt", _text(_records()))
    con = _table()
    first = load_bulk_file(con, path, "raw.flows")
    assert load_bulk_file(con, path, "raw.flows") == first
    assert con.execute("SELECT count(*) FROM raw.flows").fetchall() == [(2 * first,)]
    assert not con.execute("SHOW ALL TABLES").df()["name"].str.contains("stage").any()


# ---------------------------------------------------------------------------------------
# (2) Bad input: the same ValueError as read_comtrade_file, and nothing inserted


def _bad(path: Path, same_as_records: bool = True) -> str:
    """The file's error (file, line, field), nothing inserted; the same records as API
    records fail on the same field for the same reason."""
    con = _table()
    con.execute("INSERT INTO raw.flows (year, flow) VALUES (1999, 'keep')")
    with pytest.raises(SourceFileError) as caught:
        load_bulk_file(con, path, "raw.flows")
    err = caught.value
    assert err.file == str(path)
    if same_as_records:
        assert err.line is not None and err.field is not None
        with pytest.raises(SourceFileError) as api:
            _api_rows(_records_of(path), path)
        assert (api.value.file, api.value.reason) == ("api", err.reason)
    assert con.execute("SELECT year, flow FROM raw.flows").fetchall() == [(1999, "keep")]
    assert not con.execute("SHOW ALL TABLES").df()["name"].str.contains("stage").any()
    return str(err)


BAD_CELLS = [
    (1, {"primaryValue": "12abc"}, "line 3, field 'primaryValue': not a number"),
    (0, {"primaryValue": ""}, "line 2, field 'primaryValue': missing (got '')"),
    (0, {"classificationCode": "S4"}, "line 2, field 'classificationCode'"),
    (2, {"refYear": "20x1"}, "line 4, field 'refYear': not a number"),
    (0, {"refYear": "1800"}, "field 'refYear': not a year"),
    (0, {"refYear": "2021.5"}, "field 'refYear': not a whole number"),
    (0, {"refYear": "  "}, "field 'refYear': missing (got '  ')"),
    (0, {"partnerCode": "NAN"}, "field 'partnerCode': not a whole number"),
    (0, {"reporterCode": "abc"}, "field 'reporterCode': not a number"),
    (0, {"cifvalue": "1.2.3"}, "field 'cifvalue': not a number"),
    (0, {"grossWgt": "heavy"}, "field 'grossWgt': not a number"),
    (0, {"partner2Code": "x"}, "field 'partner2Code': not a number"),
    (0, {"motCode": "1.5"}, "field 'motCode': not a whole number"),
    (0, {"flowCode": " "}, "field 'flowCode': missing"),
    (0, {"cmdCode": ""}, "field 'cmdCode': missing"),
    (0, {"aggrLevel": "six"}, "field 'aggrLevel': not a number"),
    # The first failing check of a record names the field.
    (0, {"refYear": "x", "primaryValue": "y"}, "field 'refYear'"),
]


@pytest.mark.parametrize(("at", "cells", "expected"), BAD_CELLS)
def test_bad_cell_names_file_line_and_field(tmp_path, at, cells, expected):
    records = _records()
    records[at].update(cells)
    path = _write(tmp_path / "bad.csv", _text(records, ","))
    assert expected in _bad(path)


def test_bad_cell_after_blank_lines_and_in_a_tsv_gz(tmp_path):
    records = _records()
    records[10]["primaryValue"] = "n/a"
    lines = _text(records).split("\n")
    lines[3:3] = ["", ""]
    path = _write(tmp_path / "late.txt.gz", "\n".join(lines), gz=True)
    assert "line 14, field 'primaryValue': not a number (got 'n/a')" in _bad(path)


def test_first_bad_line_wins_and_snake_case_name_is_reported(tmp_path):
    records = _records() * 3
    records = [dict(r) for r in records]
    records[34]["refYear"] = "bad"  # a kept row, later in the file
    records[22]["primaryValue"] = "bad"  # the TOTAL row of the second copy

    def snake(name):
        return "".join("_" + c.lower() if c.isupper() else c for c in name)

    path = _write(tmp_path / "snake.csv", _text(records, ",", snake))
    assert "line 24, field 'primary_value': not a number (got 'bad')" in _bad(path)


def test_bad_cells_in_dropped_rows_are_not_errors(tmp_path):
    records = _records()
    records[3]["primaryValue"] = "x"  # partner2 breakdown
    records[6]["refYear"] = "x"  # re-export
    records[8]["reporterCode"] = "x"  # code of no HS level
    path = _write(tmp_path / "dropped.csv", _text(records, ","))
    assert len(_check_like_api(path)) == 6


def test_bad_files(tmp_path):
    records = _records()
    # A missing required column.
    rows = [{k: v for k, v in r.items() if k != "primaryValue"} for r in records]
    message = _bad(_write(tmp_path / "nocol.csv", _text(rows, ",")), same_as_records=False)
    assert "nocol.csv, line 1, field '<header>'" in message and "primaryvalue" in message
    # A row with too few / too many fields.
    lines = _text(records, ",").split("\n")
    lines[5] = lines[5] + ",extra"
    assert "line 6, field '<row>': 48 fields, header has 47" in _bad(
        _write(tmp_path / "ragged.csv", "\n".join(lines)), same_as_records=False
    )
    lines = _text(records).split("\n")
    lines[2] = "2021\t156"
    assert "line 3, field '<row>': 2 fields" in _bad(
        _write(tmp_path / "short.txt.gz", "\n".join(lines), gz=True), same_as_records=False
    )
    # Truncated gzip, empty file.
    truncated = tmp_path / "cut.txt.gz"
    truncated.write_bytes(gzip.compress(_text(records * 50).encode())[:400])
    assert "cut.txt.gz: broken gzip" in _bad(truncated, same_as_records=False)
    assert "line 1, field '<header>': empty file" in _bad(
        _write(tmp_path / "empty.csv", ""), same_as_records=False
    )


def test_layouts_it_does_not_read(tmp_path):
    con = _table()
    json_file = _write(tmp_path / "r.json", '{"data": []}')
    with pytest.raises(SourceFileError, match=r"r\.json, line 1, field '<file>': a JSON file"):
        load_bulk_file(con, json_file, "raw.flows")
    other = _write(tmp_path / "other.csv", "a,b\n1,2\n")
    with pytest.raises(SourceFileError, match=r"line 1, field '<header>': not a Comtrade"):
        load_bulk_file(con, other, "raw.flows")
    with pytest.raises(SourceFileError, match="no such file"):
        load_bulk_file(con, tmp_path / "nope.csv", "raw.flows")
    with pytest.raises(ValueError, match="origin must be one of"):
        load_bulk_file(con, json_file, "raw.flows", origin="made-up")
    with pytest.raises(ValueError, match="not a table name"):
        load_bulk_file(con, json_file, "flows; DROP TABLE x")


def test_the_legacy_csv_goes_through_the_same_sql():
    legacy = next((REPO / "data" / "real" / "comtrade").glob("comtrade_legacy_*.csv"))
    n, rows = _load(legacy)
    assert n == 2660 and {r[COLUMNS.index("source")] for r in rows} == {"legacy_csv"}
    assert {r[COLUMNS.index("vintage")] for r in rows} == {"2021-08-16"}


# ---------------------------------------------------------------------------------------
# (3) Years filter


def test_years_filter(tmp_path, synthetic):
    records = _records()
    for r in _records():
        records.append({**r, "refYear": 2020, "period": "2020"})
    path = _write(tmp_path / "two_years.txt", _text(records))
    assert len(_check_like_api(path)) == 12
    got = _check_like_api(path, years=[2020])
    assert len(got) == 6 and {r[0] for r in got} == {2020}
    assert _load(path, years=[2019])[0] == 0
    assert _load(path, years=[])[0] == 0
    assert _load(path, years=[2020, 2021])[0] == 12
    # The whole file is still validated.
    records[0]["primaryValue"] = "x"
    bad = _write(tmp_path / "two_years_bad.txt", _text(records))
    with pytest.raises(ValueError, match="line 2, field 'primaryValue'"):
        load_bulk_file(_table(), bad, "raw.flows", years=[2020])
    # On a synthetic year file.
    year = int(synthetic[3].name.split("_")[-1][:4])
    assert _load(synthetic[3], years=[year])[0] == len(read_comtrade_file(synthetic[3]))
    assert _load(synthetic[3], years=[year + 1])[0] == 0


# ---------------------------------------------------------------------------------------
# (4) The rules that once differed between the Python reader and the SQL: each decided
# once, and an API-shaped input and a bulk-shaped input of the same records agree.


def _both(tmp_path: Path, records: list[dict], name: str = "same.txt"):
    """(rows or error) of the records as API records, and of the same records in a bulk
    file: each value written as str(value), as a CSV writer does."""
    path = _write(tmp_path / name, _text(records))
    outcome = []
    for load in (lambda: _api_rows(records, path), lambda: _load(path)[1]):
        try:
            outcome.append(load())
        except SourceFileError as err:
            outcome.append(err)
    return path, outcome[0], outcome[1]


def test_same_records_api_and_bulk_give_identical_rows(tmp_path):
    records = _records()
    records[0]["cmdDesc"] = 'Memories "DRAM", other'  # a quote, escaped by the writer
    records[1]["primaryValue"] = 250  # a JSON integer
    records[2]["aggrLevel"] = None  # JSON null
    _, api, bulk = _both(tmp_path, records)
    assert len(api) == 6
    _assert_same(api, bulk)


@pytest.mark.parametrize(
    ("cells", "field", "reason"),
    [
        # Digits outside ASCII are not numbers (float('٣') would say 3.0).
        ({"primaryValue": "٣"}, "primaryValue", "not a number (got '٣')"),
        ({"refYear": "٢٠٢١"}, "refYear", "not a number (got '٢٠٢١')"),
        # A code beyond the INTEGER range is refused, not left to overflow.
        ({"reporterCode": 2**31}, "reporterCode", "out of the INTEGER range (got '2147483648')"),
        ({"partnerCode": -(2**31) - 1}, "partnerCode", "out of the INTEGER range"),
        # A JSON boolean is not a number.
        ({"primaryValue": True}, "primaryValue", "not a number (got 'True')"),
    ],
)
def test_same_bad_record_same_error_from_api_and_bulk(tmp_path, cells, field, reason):
    records = _records()
    records[0].update(cells)  # a kept row
    path, api, bulk = _both(tmp_path, records)
    assert isinstance(api, SourceFileError) and isinstance(bulk, SourceFileError)
    assert (api.field, bulk.field) == (field, field)
    assert reason in api.reason and api.reason == bulk.reason
    assert (api.file, api.line) == ("api", 1) and (bulk.file, bulk.line) == (str(path), 2)


def test_record_vintage_fields_are_read_alike(tmp_path):
    records = _records()
    for r in records:
        r.update(vintage=None, releaseDate="2024-03-04T00:00:00")
    records[0]["vintage"] = "2025-01-02"  # the first field found wins
    _, api, bulk = _both(tmp_path, records)
    _assert_same(api, bulk)
    vintages = sorted({r[COLUMNS.index("vintage")] for r in api})
    assert vintages == ["2024-03-04", "2025-01-02"]


def test_quote_inside_a_quoted_field_is_refused(tmp_path):
    path = _write(tmp_path / "ok.txt", _text(_records()))
    lines = path.read_text().split("\n")
    lines[3] = lines[3].replace("Commodity 854231", '"Commodity "854231" x"')
    bad = _write(tmp_path / "quote.txt", "\n".join(lines))
    message = _bad(bad, same_as_records=False)
    assert "quote.txt, line 4, field '<row>'" in message


def test_whitespace_line_is_a_ragged_row_empty_lines_are_none(tmp_path):
    records = _records()
    lines = _text(records).split("\n")
    empty = _write(tmp_path / "empty_lines.txt", "\n".join([*lines[:3], "", *lines[3:]]))
    cells = _write(tmp_path / "empty_cells.txt", "\n".join([*lines[:3], "\t" * 46, *lines[3:]]))
    _, api, _ = _both(tmp_path, records)
    _assert_same(_load(empty)[1], api)
    _assert_same(_load(cells)[1], api)
    spaces = _write(tmp_path / "spaces.txt", "\n".join([*lines[:3], "   ", *lines[3:]]))
    assert "spaces.txt, line 4, field '<row>': 1 fields, header has 47" in _bad(
        spaces, same_as_records=False
    )


def test_a_malformed_file_leaves_the_callers_transaction_usable(tmp_path):
    lines = _text(_records()).split("\n")
    lines[2] = "2021\t156"
    ragged = _write(tmp_path / "ragged.txt", "\n".join(lines))
    quote = _write(tmp_path / "quote.txt", lines[0] + '\n"a"b\t' + "\t" * 45 + "\n")
    for path in (ragged, quote):
        con = _table()
        con.execute("BEGIN TRANSACTION")
        con.execute("INSERT INTO raw.flows (year, flow) VALUES (1999, 'mine')")
        with pytest.raises(SourceFileError):
            load_bulk_file(con, path, "raw.flows")
        # still usable: the parse ran in a cursor of its own
        con.execute("INSERT INTO raw.flows (year, flow) VALUES (2000, 'mine')")
        con.execute("COMMIT")
        assert con.execute("SELECT count(*) FROM raw.flows").fetchone() == (2,)
