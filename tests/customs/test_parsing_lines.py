"""Line numbers and encodings when a customs file is read by DuckDB's CSV reader.

The reader numbers data rows, not lines: these tests check that every row, and every
refusal, still names the file's own line (preamble, blank lines, CRLF, a row deep in a
large file, rows after a rejected line) and that the block-wise decoding handles GB18030
four-byte sequences and refuses a file in another encoding at the right line.
"""

from __future__ import annotations

import duckdb
import pytest

from orchestration.lib.customs import parsing
from orchestration.lib.customs.parsing import parse_customs_file
from orchestration.lib.errors import SourceFileError
from tests.customs.fixtures import csv_text, gacc_rows, header, write_gacc_csv


@pytest.fixture
def con():
    c = duckdb.connect()
    yield c
    c.close()


def many_rows(n: int) -> list[list[str]]:
    """``n`` distinct rows of one month: partner codes 0000.. keep every key unique."""
    row = gacc_rows()[0]
    return [[row[0], f"{i:05d}", *row[2:]] for i in range(n)]


def line_numbers(con, table: str) -> list[int]:
    return [r[0] for r in con.execute(f"SELECT line_no FROM {table} ORDER BY line_no").fetchall()]


def refusal(con, path) -> SourceFileError:
    with pytest.raises(SourceFileError) as info:
        parse_customs_file(con, path, table="refused")
    assert info.value.file == path.name
    return info.value


@pytest.mark.parametrize("chunk", [None, 4096])
def test_bad_value_deep_in_a_large_file(con, tmp_path, monkeypatch, chunk):
    """Two preamble lines, CRLF, 9,000 rows: row 7,345's value is refused at its line."""
    if chunk:
        monkeypatch.setattr(parsing, "CHUNK_BYTES", chunk)
    rows = many_rows(9_000)
    rows[7_344][9] = "12,34x"
    text = "\r\n \r\n" + csv_text(header(), rows, newline="\r\n")
    path = write_gacc_csv(tmp_path / "deep_in.csv", text=text)
    err = refusal(con, path)
    # lines 1-2 preamble, 3 header, data row k on line 3 + k
    assert (err.line, err.field) == (3 + 7_345, "人民币"), str(err)
    assert "'12,34x'" in str(err)


def test_every_row_keeps_its_line_with_blank_lines_and_preamble(con, tmp_path, monkeypatch):
    monkeypatch.setattr(parsing, "CHUNK_BYTES", 1000)  # blank lines in several blocks
    lines = csv_text(header(), many_rows(400)).split("\n")[:-1]
    blank_at = {50, 51, 199, 300}  # 0-based positions in the final list
    for pos in sorted(blank_at):
        lines.insert(pos, " \t" if pos % 2 else "")
    text = "\n\n" + "\n".join(lines) + "\n\x1a\n"
    path = write_gacc_csv(tmp_path / "blanks_in.csv", text=text)
    parsed = parse_customs_file(con, path, table="blanks")
    file_lines = text.split("\n")
    expected = [i + 1 for i, s in enumerate(file_lines) if s.startswith('"2024') and i > 2]
    assert len(expected) == 400 and parsed.rows == 400
    assert line_numbers(con, "blanks") == expected
    # and the line a row names is that row's own line in the file
    for line_no, partner in con.execute(
        "SELECT line_no, partner_code FROM blanks WHERE line_no % 37 = 0"
    ).fetchall():
        assert f'"{partner}"' in file_lines[line_no - 1]


def test_wrong_field_count_after_blank_lines(con, tmp_path):
    lines = csv_text(header(), many_rows(3_000)).split("\n")
    lines.insert(10, "")
    lines.insert(1_000, "   ")
    lines[2_500] = lines[2_500].rstrip(",") + ',"1",'  # one field too many
    path = write_gacc_csv(tmp_path / "count_in.csv", text="\n".join(lines))
    err = refusal(con, path)
    assert err.line == 2_501, str(err)
    assert "wrong column count" in err.reason


def test_bad_value_after_a_rejected_line_reports_the_rejected_line(con, tmp_path):
    """DuckDB drops a rejected line from the rows it numbers; the first error still wins."""
    rows = many_rows(50)
    rows[30][9] = "oops"
    lines = csv_text(header(), rows).split("\n")
    lines[20] = lines[20].rstrip(",")  # line 21 lacks the trailing field
    path = write_gacc_csv(tmp_path / "both_in.csv", text="\n".join(lines))
    assert refusal(con, path).line == 21
    rows_only = write_gacc_csv(tmp_path / "value_in.csv", header(), rows)
    assert refusal(con, rows_only).line == 32


def test_quoted_line_break_is_refused_at_its_line(con, tmp_path):
    rows = many_rows(20)
    rows[11][4] = "first\nsecond"
    path = write_gacc_csv(tmp_path / "multiline_in.csv", header(), rows)
    err = refusal(con, path)
    assert (err.line, err.field) == (13, "商品名称"), str(err)
    assert "spans several lines" in err.reason


@pytest.mark.parametrize("chunk", [None, 3, 5, 7])
def test_gb18030_four_byte_sequences(con, tmp_path, monkeypatch, chunk):
    """Characters outside the BMP (and GB18030-only ones) take four bytes; block edges may
    split them anywhere."""
    if chunk:
        monkeypatch.setattr(parsing, "CHUNK_BYTES", chunk)
    names = ["𠀀𠀁 Ext-B", "鿿 and 𪚥", "😀 emoji", "€ sign", "ḿ"]
    for name in names:
        assert len(name.encode("gb18030")) > len(name)
    assert len("𠀀".encode("gb18030")) == 4
    rows = gacc_rows()
    for row, name in zip(rows, names, strict=True):
        row[4] = name
    path = write_gacc_csv(tmp_path / "astral_in.csv", header(), rows)
    parsed = parse_customs_file(con, path, table="astral")
    assert parsed.encoding == "gb18030"
    got = [r[0] for r in con.execute("SELECT product_name FROM astral ORDER BY line_no").fetchall()]
    assert got == names
    # a bad value after the four-byte characters still names its line
    rows[4][9] = "?x"
    bad = write_gacc_csv(tmp_path / "astral_bad_in.csv", header(), rows)
    assert refusal(con, bad).line == 6


def test_file_in_another_encoding_is_refused_at_its_line(con, tmp_path, monkeypatch):
    """Latin-1 bytes (é = 0xE9 before a quote) are no GB18030 sequence."""
    monkeypatch.setattr(parsing, "CHUNK_BYTES", 256)  # the bad byte lies blocks in
    row = gacc_rows("en")[0]
    rows = [[row[0], f"{i:05d}", row[2], row[3], "Cafe", row[5], "kg", *row[7:]] for i in range(40)]
    rows[33][4] = "Café"
    text = csv_text(header("en"), rows)
    path = tmp_path / "latin1_in.csv"
    path.write_bytes(text.encode("latin-1"))
    err = refusal(con, path)
    assert (err.line, err.field) == (35, "(encoding)"), str(err)
    assert "not valid gb18030" in err.reason


def test_utf16_without_bom_is_refused_not_misread(con, tmp_path):
    path = tmp_path / "utf16_in.csv"
    path.write_bytes(csv_text(header(), gacc_rows()).encode("utf-16-le"))
    err = refusal(con, path)
    assert (err.line, err.field) == (1, "(encoding)"), str(err)
