"""China Customs' code lists: the shipped files give the codes per year their source
documents, the portal's quirks are read as written, and a malformed file is refused
with its file and line."""

from collections import Counter
from pathlib import Path

import pytest

from orchestration.lib.errors import SourceFileError
from orchestration.lib.reference import gacc_codes
from orchestration.settings import BUNDLED_DATA_DIR

LISTS = BUNDLED_DATA_DIR / "reference" / "gacc_codes" / "commodities"
# codes per year as the source of the files documents them (chinautils data-raw)
DOCUMENTED = {
    2015: 8292,
    2016: 8302,
    2017: 8555,
    2018: 8571,
    2019: 8557,
    2020: 8558,
    2021: 8589,
    2022: 8939,
    2023: 8957,
}
EN_HEADER = ",".join(f'"{h}"' for h in gacc_codes.HEADERS["en"]) + ","
ZH_HEADER = ",".join(f'"{h}"' for h in gacc_codes.HEADERS["zh"]) + ","


@pytest.fixture(scope="module")
def shipped() -> dict[tuple[str, int], dict]:
    return {(r["hs8"], r["list_year"]): r for r in gacc_codes.read_lists(LISTS)}


def test_every_year_has_the_documented_number_of_codes(shipped):
    assert Counter(year for _, year in shipped) == DOCUMENTED


def test_the_portal_quirks_are_read_as_written(shipped):
    # unescaped quotes inside a description, NUL bytes for the English unit names (2017)
    tyre = shipped[("40117010", 2017)]
    assert tyre["description_en"] == (
        'New rubber pneumatic tyres with "herring-bone", for '
        "agricultural/forestry vehicles and machines"
    )
    units = (tyre["unit1_code"], tyre["unit1_name_en"], tyre["unit1_name_zh"])
    assert units == ("09", None, "千克")
    # a description over three lines; '?' for no second unit
    mix = shipped[("38271100", 2022)]
    assert "\n" not in mix["description_en"]
    assert mix["description_en"].endswith("perfluorocarbons (PFCs) or hydrofluorocarbons (HFCs)")
    assert (mix["unit2_code"], mix["unit2_name_zh"]) == (None, None)
    # both languages of a year side by side
    lidar = shipped[("90151010", 2023)]
    assert (lidar["description_en"], lidar["description_zh"]) == (
        "Lidar(Light Detection and Ranging)",
        "激光测距雷达",
    )
    assert ("90151010", 2022) not in shipped


def _write(folder: Path, name: str, lines: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    header = ZH_HEADER if name.startswith("zh") else EN_HEADER
    path = folder / name
    path.write_bytes(("\n".join([header, *lines]) + "\n").encode("gb18030"))
    return path


GOOD = [
    '01012100,"Live pure-bred breeding horses",2024,09,"Kilogram",01,"Number of item",',
    '38271100,"Mixtures containing ',
    'chlorofluorocarbons",2024,09,"Kilogram",?,"?",',
]


def test_a_malformed_record_is_refused_with_file_and_line(tmp_path):
    _write(tmp_path, "en-hs8-2024.csv", [*GOOD, '84561100,Machine-tools,2024,09,"Kilogram",?,"?",'])
    with pytest.raises(SourceFileError, match=r"en-hs8-2024\.csv, line 5: not a record"):
        gacc_codes.read_lists(tmp_path)


def test_a_year_in_the_rows_must_be_the_year_of_the_file(tmp_path):
    _write(tmp_path, "en-hs8-2024.csv", [*GOOD, '84561100,"Laser",2023,09,"Kilogram",?,"?",'])
    with pytest.raises(
        SourceFileError, match=r"line 5, field 'YEAR': 2023 in a file named for 2024"
    ):
        gacc_codes.read_lists(tmp_path)


def test_a_code_twice_in_a_file_is_refused(tmp_path):
    _write(tmp_path, "en-hs8-2024.csv", [*GOOD, GOOD[0]])
    with pytest.raises(SourceFileError, match=r"line 5, field 'CODES': code 01012100"):
        gacc_codes.read_lists(tmp_path)


def test_the_two_languages_of_a_year_must_hold_the_same_codes(tmp_path):
    _write(tmp_path, "en-hs8-2024.csv", GOOD)
    _write(tmp_path, "zh-hs8-2024.csv", ['01012100,"改良种用马",2024,09,"千克",01,"头",'])
    with pytest.raises(SourceFileError, match=r"differ in 1 codes.*38271100"):
        gacc_codes.read_lists(tmp_path)


def test_a_wrong_header_or_file_name_is_refused(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "en-hs8-2024.csv").write_bytes(b'"CODE","DESCRIPTION"\n')
    with pytest.raises(SourceFileError, match=r"line 1: header"):
        gacc_codes.read_lists(tmp_path / "a")
    _write(tmp_path / "b", "hs8-2024.csv", GOOD)
    with pytest.raises(SourceFileError, match=r"en-hs8-<year>\.csv"):
        gacc_codes.read_lists(tmp_path / "b")


def test_a_new_year_in_one_language_is_enough(tmp_path):
    _write(tmp_path, "zh-hs8-2024.csv", ['01012100,"改良种用马",2024,09,"千克",01,"头",'])
    [row] = gacc_codes.read_lists(tmp_path)
    assert (
        row["hs8"],
        row["list_year"],
        row["description_zh"],
        row["description_en"],
        row["unit2_name_zh"],
    ) == ("01012100", 2024, "改良种用马", None, "头")


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2014, 2015),  # before the oldest list: the oldest
        (2015, 2015),
        (2016, 2016),
        (2023, 2023),
        (2025, 2023),  # after the newest list: the newest
    ],
)
def test_the_list_in_force(year, expected):
    assert gacc_codes.list_year_in_force(year, sorted(DOCUMENTED)) == expected


def test_a_missing_year_falls_back_to_the_year_before():
    assert gacc_codes.list_year_in_force(2016, [2015, 2017]) == 2015
