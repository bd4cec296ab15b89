"""Every row of every landed Comtrade file is accounted for (issue 24).

Fixtures in the real API v1 CSV layout (the 47 snake_case fields of a Comtrade API v1
CSV download, as the real sample of China's total exports has them), shaped like the two
real files of the issue: every reporter's exports of HS 8542 at the 4-digit level for
2013-2024, and China's total imports 2000-2024 with partner2 breakdown rows; then a file
of years outside the window and a mixed file. The counts by reason are worked out by hand
from how each fixture is built; each account must add up to the rows read and the run
report must name the file.
"""

import csv
import json
import re
from pathlib import Path

import duckdb
import pytest

from orchestration.defs import accounting as file_checks
from orchestration.defs.comtrade.assets import COMTRADE_KEY, ingest
from orchestration.lib import accounting
from orchestration.lib.comtrade.records import API_RECORD_FIELDS
from orchestration.runner import RunReport
from orchestration.settings import Settings
from tests.connectors.fake_servers import comtrade_record

WINDOW = list(range(2015, 2025))
# the snake_case spelling of the API v1 CSV download: refYear -> ref_year,
# partner2Code -> partner2code, primaryValue -> primary_value
SNAKE = {
    f: re.sub(r"(?<=[a-z])([A-Z])", r"_\1", f).lower().replace("partner2_", "partner2")
    for f in API_RECORD_FIELDS
}
# 140 reporters with M49 codes of the bundled country table (plus the EU, Comtrade's 97)
REPORTERS = [
    4,
    8,
    12,
    24,
    32,
    36,
    40,
    48,
    50,
    56,
    68,
    76,
    100,
    104,
    112,
    116,
    120,
    124,
    144,
    152,
    156,
    170,
    188,
    191,
    196,
    203,
    208,
    214,
    218,
    222,
    231,
    233,
    242,
    246,
    268,
    276,
    288,
    300,
    320,
    340,
    344,
    348,
    352,
    360,
    364,
    368,
    372,
    376,
    380,
    384,
    388,
    392,
    398,
    400,
    404,
    410,
    414,
    417,
    418,
    422,
    428,
    434,
    440,
    442,
    446,
    450,
    454,
    458,
    466,
    470,
    478,
    480,
    484,
    496,
    498,
    499,
    504,
    508,
    512,
    516,
    524,
    528,
    554,
    558,
    562,
    566,
    586,
    591,
    600,
    604,
    608,
    616,
    620,
    634,
    642,
    643,
    646,
    682,
    686,
    688,
    694,
    702,
    703,
    704,
    705,
    710,
    716,
    724,
    729,
    740,
    748,
    752,
    760,
    762,
    764,
    768,
    780,
    784,
    788,
    792,
    795,
    800,
    804,
    807,
    818,
    826,
    834,
    854,
    858,
    860,
    862,
    887,
    894,
    31,
    51,
    70,
    84,
    90,
    96,
    108,
]


def _cl(year: int) -> str:
    """The HS revision a reporter sent the year in (what the API's classificationCode
    says with cl=HS): H1 for 2000-01, H2 2002-06, H3 2007-11, H4 2012-16, H5 2017-21, H6."""
    return next(
        c
        for start, c in (
            (2022, "H6"),
            (2017, "H5"),
            (2012, "H4"),
            (2007, "H3"),
            (2002, "H2"),
            (1996, "H1"),
        )
        if year >= start
    )


def write_api_csv(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([SNAKE[f] for f in API_RECORD_FIELDS])
        for r in records:
            writer.writerow(["" if r[f] is None else str(r[f]) for f in API_RECORD_FIELDS])
    return path


def hs4_exports_8542() -> list[dict]:
    """Every reporter's exports of HS 8542, 4-digit level, 2013-2024: 1,686 rows."""
    rows = [
        comtrade_record(y, r, "X", 0, "8542", 1000.0 + r + y, cl=_cl(y))
        for y in range(2013, 2025)
        for r in REPORTERS
    ]
    rows += [
        comtrade_record(y, 97, "X", 0, "8542", 5.0e9 + y, cl=_cl(y)) for y in range(2013, 2019)
    ]
    return rows


def china_total_imports() -> list[dict]:
    """China's total imports 2000-2024, partner World, with partner2 breakdown rows (25
    a year) and 8 customs-procedure rows: 25 + 625 + 8 = 658 rows."""
    rows = []
    for y in range(2000, 2025):
        rows.append(comtrade_record(y, 156, "M", 0, "TOTAL", 1.0e12 + y, cl=_cl(y)))
        rows += [
            comtrade_record(y, 156, "M", 0, "TOTAL", 1.0e9 + p, partner2=p, cl=_cl(y))
            for p in REPORTERS[:25]
        ]
    rows += [
        comtrade_record(y, 156, "M", 0, "TOTAL", 5.0e8, customs="C01", cl=_cl(y))
        for y in range(2017, 2025)
    ]
    return rows


def old_years() -> list[dict]:
    """HS6 rows of 2005-2009 only: outside the window 2015-2024."""
    return [
        comtrade_record(y, r, f, 0, "854231", 10.0 * r)
        for y in range(2005, 2010)
        for r in (156, 392, 410)
        for f in ("M", "X")
    ]


def mixed() -> list[dict]:
    rec = comtrade_record
    return [
        rec(2021, 156, "M", 0, "854231", 100.0),  # stored (HS6)
        rec(2021, 156, "X", 0, "854231", 40.0),  # stored (HS6)
        rec(2021, 156, "M", 0, "TOTAL", 9000.0),  # stored (TOTAL)
        rec(2021, 156, "M", 0, "8541", 55.0),  # stored (HS4)
        rec(2021, 156, "M", 0, "85", 700.0),  # stored (HS2)
        rec(2021, 156, "M", 0, "854", 70.0),  # other level (3 digits)
        rec(2021, 156, "RX", 0, "854231", 3.0),  # other flow
        rec(2021, 156, "M", 0, "854231", 4.0, partner2=392),  # breakdown
        rec(2021, 156, "M", 0, "854231", 5.0, mot=1000),  # breakdown
        rec(2012, 156, "M", 0, "854231", 6.0),  # outside the window
        {**rec(2021, 999, "M", 0, "854231", 7.0), "reporterISO": "XXX"},  # unknown reporter
        rec(2021, 392, "X", 0, "854231", 8.0),  # duplicate in the file:
        rec(2021, 392, "X", 0, "854231", 9.0),  #   the last one stored
        rec(2021, 410, "X", 0, "854231", 11.0),  # also in the newer file
    ]


def _ingest(tmp_path: Path, files: dict[str, list[dict]]) -> list[accounting.FileAccount]:
    landing = tmp_path / "landing" / "comtrade"
    for name, records in files.items():
        if name.endswith(".json"):
            landing.mkdir(parents=True, exist_ok=True)
            (landing / name).write_text(json.dumps({"data": records}))
        else:
            write_api_csv(landing / name, records)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        accounts = ingest(con, Settings(data_dir=tmp_path), WINDOW, run_id="run-1")
        assert accounting.of_runs(con, ["run-1"]) == accounts  # the load log holds them
        return accounts
    finally:
        con.close()


def _report(tmp_path: Path, accounts) -> str:
    report = RunReport(settings=Settings(data_dir=tmp_path), window=("2015-01", "2024-12"))
    report.files = accounts
    return report.render()


HS4_FILE = "comtrade_v1_all_reporters_X_8542_AG4_2013_2024.csv"
TOTAL_FILE = "comtrade_v1_china_M_TOTAL_2000_2024.csv"


def test_the_two_real_shaped_files(tmp_path):
    hs4, total = hs4_exports_8542(), china_total_imports()
    assert (len(hs4), len(total)) == (1686, 658)
    assert all(len(r) == 47 for r in hs4 + total)
    by_name = {a.file_name: a for a in _ingest(tmp_path, {HS4_FILE: hs4, TOTAL_FILE: total})}
    a = by_name[HS4_FILE]
    # 2015-2024: 140 reporters a year and the EU's 2015-2018; 2013-2014 outside
    assert (a.rows_read, a.rows_stored, a.stored_levels) == (1686, 1404, {"HS4": 1404})
    assert a.set_aside == {"outside_window": 282} and a.adds_up
    t = by_name[TOTAL_FILE]
    assert (t.rows_read, t.rows_stored, t.stored_levels) == (658, 10, {"TOTAL": 10})
    assert t.set_aside == {"breakdown": 633, "outside_window": 15} and t.adds_up
    text = _report(tmp_path, [a, t])
    assert (
        f"  comtrade  {HS4_FILE}: read 1,686, stored 1,404 (1,404 HS4); "
        "set aside: outside the window 282"
    ) in text
    assert (
        f"  comtrade  {TOTAL_FILE}: read 658, stored 10 (10 TOTAL); "
        "set aside: breakdown rows 633, outside the window 15"
    ) in text
    assert "WARNING" not in text
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    try:
        levels = dict(
            con.execute(
                "SELECT cmd_level, count(*) FROM raw.comtrade_annual_flows GROUP BY ALL"
            ).fetchall()
        )
    finally:
        con.close()
    assert levels == {"HS4": 1404, "TOTAL": 10}  # marked by level, never summed together


def test_a_file_of_years_outside_the_window_is_a_warning(tmp_path):
    name = "comtrade_v1_hs6_2005_2009.csv"
    (account,) = _ingest(tmp_path, {name: old_years()})
    assert (account.rows_read, account.rows_stored) == (30, 0)
    assert account.set_aside == {"outside_window": 30} and account.adds_up
    text = _report(tmp_path, [account])
    assert (
        f"WARNING:    comtrade file {name}: nothing stored of 30 rows; main reason: "
        "outside the window"
    ) in text
    result = file_checks.check_result(COMTRADE_KEY, [account])
    assert not result.passed and result.severity.value == "WARN"
    assert name in result.description and "outside the window" in result.description


def test_a_total_file_of_breakdown_rows_only_warns_with_breakdown(tmp_path):
    rows = [r for r in china_total_imports() if r["partner2Code"] != 0]
    (account,) = _ingest(tmp_path, {"p2.csv": rows})
    assert account.set_aside == {"breakdown": 625} and account.rows_stored == 0
    assert "main reason: breakdown rows (partner2" in account.warning()


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_a_mixed_file(tmp_path, suffix):
    """The CSV goes through DuckDB (bulk_duckdb), the JSON through the Python reader: the
    same counts. A newer file holds one of its records (a revision)."""
    name = f"mixed{suffix}"
    newer = [comtrade_record(2021, 410, "X", 0, "854231", 12.0)]
    files = {name: mixed(), "newer[2024-01-01].csv": newer}
    by_name = {a.file_name: a for a in _ingest(tmp_path, files)}
    a = by_name[name]
    assert a.rows_read == 14
    assert a.set_aside == {
        "other_level": 1,
        "other_flow": 1,
        "breakdown": 2,
        "outside_window": 1,
        "unknown_reporter": 1,
        "duplicate": 2,
    }
    assert a.rows_stored == 6 and a.adds_up
    assert a.stored_levels == {"TOTAL": 1, "HS2": 1, "HS4": 1}
    assert a.main_reason == "breakdown"  # the largest count; ties go to the first filter
    assert by_name["newer[2024-01-01].csv"].rows_stored == 1
    text = _report(tmp_path, list(by_name.values()))
    assert (
        f"  comtrade  {name}: read 14, stored 6 (1 TOTAL, 1 HS2, 1 HS4); set aside: "
        "breakdown rows 2, other flows 1, aggregate level not used 1, outside the "
        "window 1, unknown reporter 1, duplicate of a row in another file 2"
    ) in text


def test_an_account_that_does_not_add_up_is_refused(tmp_path):
    con = duckdb.connect()
    bad = accounting.FileAccount(
        "comtrade", "x.csv", rows_read=3, rows_stored=1, set_aside={"breakdown": 1}
    )
    with pytest.raises(ValueError, match="x.csv: 3 rows read but 1 stored"):
        accounting.record(con, [bad], None, ("2015", "2024"))
