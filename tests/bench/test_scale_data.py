"""The benchmark's customs files are written as the portal writes them, and the pipeline's
parser and the plain baselines read them: checked on a tiny scale, byte by byte."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from orchestration.bench import run as bench
from orchestration.bench.scale_data import HEADER, SCALES, generate_scaled, source_dir
from orchestration.lib.customs.parsing import parse_customs_file

REPO = Path(__file__).resolve().parents[2]
TINY = replace(
    SCALES["small"],
    name="tiny",
    n_hs8=90,
    n_partners=8,
    first_month="2024-11",
    last_month="2024-12",
    n_reporters=3,
    n_hs6=20,
    first_year=2024,
    last_year=2024,
    max_file_rows=100,
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, dict]:
    data_dir = tmp_path_factory.mktemp("bench-tiny")
    sizes = generate_scaled(TINY, data_dir, REPO / "data" / "reference")
    return data_dir, sizes


def _files(data_dir: Path) -> list[Path]:
    return sorted(source_dir(data_dir).glob("*.csv"))


def test_files_have_the_portal_bytes(generated):
    data_dir, sizes = generated
    files = _files(data_dir)
    assert len(files) == sizes["files_customs"] > 2  # several partial files a month
    rows = 0
    for path in files:
        raw = path.read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")  # GB18030, not UTF-8
        text = raw.decode("gb18030")
        lines = text.split("\n")
        assert lines[-1] == "" and "\r" not in text
        assert lines[0] == ",".join(f'"{h}"' for h in HEADER) + ","
        for line in lines[1:-1]:
            assert line.startswith('"') and line.endswith('",')  # quoted, trailing comma
            cells = next(csv.reader([line]))
            assert len(cells) == len(HEADER) + 1 and cells[-1] == ""
        body = list(csv.reader(io.StringIO("\n".join(lines[1:-1]))))
        assert 0 < len(body) <= TINY.max_file_rows
        rows += len(body)
    assert rows == sizes["rows_customs"]
    values = [
        r[9]
        for p in files
        for r in csv.reader(io.StringIO(p.read_bytes().decode("gb18030")))
        if r and r[0] != "数据年月"
    ]
    assert any("," in v for v in values)  # thousands separators


def test_each_file_is_one_month_and_a_code_set(generated):
    data_dir, _ = generated
    code_files: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in _files(data_dir):
        month = path.name.split("_")[2]
        for r in csv.reader(io.StringIO(path.read_bytes().decode("gb18030"))):
            if r and r[0] != "数据年月":
                assert r[0] == month
                code_files[(month, r[3])].add(path.name)
    assert all(len(v) == 1 for v in code_files.values())  # a code is in one query


def test_the_parser_reads_them(generated):
    data_dir, sizes = generated
    con = duckdb.connect()
    total = 0
    for path in _files(data_dir):
        parsed = parse_customs_file(con, path)
        assert (parsed.encoding, parsed.currency, parsed.flow) == ("gb18030", "USD", "import")
        total += parsed.rows
    assert total == sizes["rows_customs"]


def test_revision_and_baseline_decoding_keep_the_rows(generated, tmp_path):
    data_dir, sizes = generated
    source = _files(data_dir)[0]
    revised = tmp_path / "revised_import.csv"
    n = bench._revise(source, revised)
    before = list(csv.reader(io.StringIO(source.read_bytes().decode("gb18030"))))
    after = list(csv.reader(io.StringIO(revised.read_bytes().decode("gb18030"))))
    assert len(after) == len(before) == n + 1 and after[0] == before[0]
    for old, new in zip(before[1:], after[1:], strict=True):
        assert new[:9] == old[:9] and new[10] == ""
        assert int(new[9].replace(",", "")) == int(old[9].replace(",", "")) * 101 // 100
    con = duckdb.connect()
    parse_customs_file(con, revised)  # the pipeline reads the revised release too
    decoded = tmp_path / "decoded.csv"
    assert bench._decode_customs(data_dir, decoded) == sizes["files_customs"]
    count = con.execute(
        f"SELECT count(*) FROM read_csv('{decoded}', all_varchar=true, header=true)"
    ).fetchall()[0][0]
    assert count == sizes["rows_customs"]
