"""The synthetic customs files use only lines of China Customs' list of their year, so the
default run flags no code as unknown: the technology codes come from the batch files,
the background codes are lines that exist in every list."""

import pytest

from orchestration.lib.reference import gacc_codes
from orchestration.settings import BUNDLED_DATA_DIR
from orchestration.synthetic.customs import generate_customs
from tests.independent import _rows

REF = BUNDLED_DATA_DIR / "reference"


@pytest.fixture(scope="module")
def lists() -> dict[int, set[str]]:
    return gacc_codes.codes_by_year(REF / "gacc_codes" / "commodities")


@pytest.mark.parametrize(
    ("start", "end"), [("2016-01", "2017-12"), ("2022-01", "2023-12"), ("2024-01", "2025-12")]
)
def test_every_synthetic_code_is_a_line_of_its_year(tmp_path, lists, start, end):
    years = sorted(lists)
    unknown, seen = set(), 0
    for path in generate_customs(tmp_path, REF, start=start, end=end):
        for row in _rows(path):  # GB18030 and Chinese headers, or UTF-8 and English
            seen += 1
            year = int(row["period"][:4])
            if row["hs8"] not in lists[gacc_codes.list_year_in_force(year, years)]:
                unknown.add((year, row["hs8"]))
    assert seen > 0
    assert unknown == set()
