"""The dbt tests on the batches fail on crafted rows, each for its own reason, and pass on
the shipped batches: a warehouse holds the shipped code lists and batches plus a crafted
batch 9, dbt builds the reference staging models with their tests, which store their
failing rows in schema dbt_test__audit (where data/reference/README.md sends a user)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.reference.assets import (
    read_batches,
    write_gacc_hs8_codes,
    write_tech_batches,
)
from orchestration.lib.reference import gacc_codes
from orchestration.settings import BUNDLED_DATA_DIR, DBT_PROJECT_DIR

REF = BUNDLED_DATA_DIR / "reference"
HEADER = "hs8,description,group_id,tech_no,valid_from,valid_to,continues,reason,provenance"
CRAFTED = [
    # line 2: never a line of China Customs (group 1 keeps a valid line, 85322510)
    "85322500,film capacitors,1,12,2015-01,,,crafted,test",
    "85322510,chip film capacitors,1,12,2015-01,,,crafted,test",
    # line 4: a line only from 2017 said to start in 2015: group 2 has no line in 2015-2016
    "85423190,processors,2,2,2015-01,,,crafted,test",
    # line 5: ends in 2022 and nothing continues it: group 5 has no line in 2023
    "90151000,rangefinders,5,10,2015-01,2022-12,,crafted,test",
    # lines 6-7: the same code twice in overlapping months
    "84821040,thrust ball bearings,10,24,2015-01,,,crafted,test",
    "84821040,thrust ball bearings again,10,24,2020-01,,,crafted,test",
    # line 8: continues a code that is no row of the batch and group
    "84852000,3D printers,11,,2022-01,,84775910,crafted,test",
]
TESTS = [
    "assert_batch_codes_in_gacc_list",
    "assert_every_batch_group_has_a_valid_line_each_year",
    "assert_batch_chains_are_continuous",
    "assert_batch_code_once_per_period",
    "assert_gacc_lists_loaded",
]


@pytest.fixture(scope="module")
def failures(tmp_path_factory) -> dict[str, list[tuple]]:
    tmp = tmp_path_factory.mktemp("batch-checks")
    batches = tmp / "batches"
    shutil.copytree(REF / "batches", batches)
    (batches / "batch_9_crafted.csv").write_text("\n".join([HEADER, *CRAFTED]) + "\n")
    warehouse = tmp / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    write_gacc_hs8_codes(con, gacc_codes.read_lists(REF / "gacc_codes" / "commodities"))
    write_tech_batches(con, read_batches(batches))
    con.close()
    env = {
        **os.environ,
        "CHOKEPOINT_WAREHOUSE": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    dbt = str(Path(sys.executable).parent / "dbt")
    # cautious: only the tests whose every parent is built here (not those on seeds, marts)
    done = subprocess.run(
        [
            dbt,
            "build",
            "--select",
            "stg_reference__tech_batches stg_reference__gacc_hs8_codes",
            "--indirect-selection",
            "cautious",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(tmp / "target"),
            "--log-path",
            str(tmp / "logs"),
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp,
        timeout=600,
    )
    for name in TESTS:
        assert name in done.stdout, done.stdout[-3000:] + done.stderr[-2000:]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        stored = dict(
            con.execute(
                "SELECT table_name, table_schema FROM information_schema.tables "
                "WHERE table_schema = 'dbt_test__audit'"
            ).fetchall()
        )
        out = {}
        for name in TESTS:
            if name in stored:
                out[name] = con.execute(
                    f'SELECT * FROM "{stored[name]}"."{name}" ORDER BY ALL'
                ).fetchall()
            else:
                out[name] = []
        out["_stdout"] = done.stdout
        return out
    finally:
        con.close()


def test_a_code_missing_from_a_year_list_fails_the_list_check(failures):
    rows = [(r[0], r[2], r[4], r[7]) for r in failures["assert_batch_codes_in_gacc_list"]]
    assert rows == sorted(
        [(9, 2, "85322500", y) for y in range(2015, 2024)]
        + [(9, 4, "85423190", 2015), (9, 4, "85423190", 2016)]
    )


def test_a_group_without_a_valid_line_in_a_year_fails_the_continuity_check(failures):
    assert failures["assert_every_batch_group_has_a_valid_line_each_year"] == [
        (9, 2, 2015),
        (9, 2, 2016),
        (9, 5, 2023),
    ]


def test_a_broken_chain_fails_the_chain_check(failures):
    rows = [(r[0], r[1], r[3], r[4]) for r in failures["assert_batch_chains_are_continuous"]]
    assert rows == [(9, 5, 5, "90151000"), (9, 11, 8, "84852000")]


def test_a_code_twice_in_overlapping_months_fails_the_once_per_period_check(failures):
    rows = [(r[0], r[1], r[3], r[7]) for r in failures["assert_batch_code_once_per_period"]]
    assert rows == [(9, "84821040", 6, 7)]


def test_the_shipped_batches_pass_every_check(failures):
    for name in TESTS:
        assert all(r[0] == 9 for r in failures[name] if name != "assert_gacc_lists_loaded"), name
    assert failures["assert_gacc_lists_loaded"] == []
    assert "PASS assert_gacc_lists_loaded" in failures["_stdout"]
    # the unit test of the list years and the schema tests ran too, and passed
    assert (
        "PASS stg_reference__gacc_hs8_codes::gacc_lists_in_force_until_the_next_list"
        in (failures["_stdout"])
    )
