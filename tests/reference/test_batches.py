"""The batch files against China Customs' lists, computed a second way (in Python, month
by month, apart from the dbt tests that guard the pipeline): every row names a line of
every year of its validity, every group of a batch has a valid line in every month, and
the loader refuses a malformed chain or validity with file, line and field."""

import shutil

import pytest

from orchestration.defs.reference.assets import read_batches
from orchestration.lib.errors import SourceFileError
from orchestration.lib.months import months_between
from orchestration.lib.reference import gacc_codes
from orchestration.settings import BUNDLED_DATA_DIR

REF = BUNDLED_DATA_DIR / "reference"
LAST_MONTH = "2025-12"  # the default run's window ends here (2024-2025 use the 2023 list)


@pytest.fixture(scope="module")
def lists() -> dict[int, set[str]]:
    return gacc_codes.codes_by_year(REF / "gacc_codes" / "commodities")


def _missing(rows: list[dict], lists: dict[int, set[str]]) -> list[tuple]:
    years = sorted(lists)
    out = []
    for r in rows:
        for month in months_between(r["valid_from"], r["valid_to"] or LAST_MONTH):
            year = gacc_codes.list_year_in_force(int(month[:4]), years)
            if r["hs8"] not in lists[year]:
                out.append((r["source_file"], r["source_line"], r["hs8"], year))
    return sorted(set(out))


def test_every_batch_code_is_a_line_in_every_month_of_its_validity(lists):
    assert _missing(read_batches(REF / "batches"), lists) == []


def test_a_code_china_customs_never_used_is_caught(lists, tmp_path):
    # the check above can fail: the batch-1 film capacitor line as it used to be
    (tmp_path / "batch_9_crafted.csv").write_text(
        "hs8,description,group_id,tech_no,valid_from,valid_to,reason,provenance\n"
        "85322500,film capacitors,1,12,2015-01,,crafted,test\n"
        "85423190,processors,2,2,2015-01,,crafted,test\n"
    )
    missing = _missing(read_batches(tmp_path), lists)
    assert [(m[2], m[3]) for m in missing] == (
        [("85322500", y) for y in range(2015, 2024)] + [("85423190", 2015), ("85423190", 2016)]
    )


def test_every_group_has_a_valid_line_in_every_month(lists):
    rows = read_batches(REF / "batches")
    years = sorted(lists)
    gaps = []
    for batch, group in sorted({(r["batch"], r["group_id"]) for r in rows}):
        mine = [r for r in rows if (r["batch"], r["group_id"]) == (batch, group)]
        first = min(r["valid_from"] for r in mine)
        for month in months_between(first, LAST_MONTH):
            listed = lists[gacc_codes.list_year_in_force(int(month[:4]), years)]
            if not any(
                r["valid_from"] <= month <= (r["valid_to"] or "9999-12") and r["hs8"] in listed
                for r in mine
            ):
                gaps.append((batch, group, month))
    assert gaps == []


def test_every_ended_line_is_continued_from_the_next_month():
    rows = read_batches(REF / "batches")
    broken = []
    for r in rows:
        if not r["valid_to"]:
            continue
        y, m = int(r["valid_to"][:4]), int(r["valid_to"][5:])
        nxt = f"{y + m // 12:04d}-{m % 12 + 1:02d}"
        if not any(
            s["batch"] == r["batch"]
            and s["group_id"] == r["group_id"]
            and s["valid_from"] == nxt
            and r["hs8"] in (s["continues"] or "").split()
            for s in rows
        ):
            broken.append((r["source_file"], r["source_line"], r["hs8"]))
    assert broken == []


def _batch(tmp_path, line: str):
    folder = tmp_path / "batches"
    folder.mkdir(exist_ok=True)
    (folder / "batch_9_crafted.csv").write_text(
        "hs8,description,group_id,tech_no,valid_from,valid_to,continues,reason,provenance\n"
        + line
        + "\n"
    )
    return folder


def test_a_chain_to_a_malformed_code_is_refused(tmp_path):
    folder = _batch(tmp_path, "90151010,Lidar,5,10,2023-01,,9015100,crafted,test")
    with pytest.raises(SourceFileError, match=r"batch_9_crafted\.csv, line 2, field 'continues'"):
        read_batches(folder)


def test_a_validity_that_ends_before_it_starts_is_refused(tmp_path):
    folder = _batch(tmp_path, "90151000,Rangefinders,5,10,2023-01,2022-12,,crafted,test")
    with pytest.raises(SourceFileError, match=r"line 2, field 'valid_to': 2022-12 is before"):
        read_batches(folder)


def test_a_batch_without_the_continues_column_still_loads(tmp_path):
    folder = tmp_path / "old"
    folder.mkdir()
    shutil.copy(REF / "batches" / "batch_3_tariff_exemption_2025.csv", folder)
    (folder / "batch_4_old_layout.csv").write_text(
        "hs8,description,group_id,tech_no,valid_from,valid_to,reason,provenance\n"
        "85076000,Lithium-ion accumulators,13,28,2015-01,,crafted,test\n"
    )
    rows = read_batches(folder)
    assert [(r["batch"], r["continues"]) for r in rows if r["batch"] == 4] == [(4, None)]
