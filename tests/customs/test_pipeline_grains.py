"""End to end on the grain fixtures (tests/fixtures/customs/grains, see its README), in a
private data folder through the real command: partial files unioned, grains never added
together, a gap month null with its reason, the grain reconciliation passing and then
failing on a deliberate mismatch, a revision of one key, coverage and the plan.

Expected values are sums of the fixture files worked out by hand, in RMB, divided by the
month's CNY per USD read here from the bundled FRED file.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
GRAINS = REPO / "tests" / "fixtures" / "customs" / "grains"
BIN = Path(sys.executable).parent


def _fx() -> dict[str, float]:
    with (REPO / "data" / "reference" / "fx" / "fred_monthly.csv").open() as fh:
        return {
            r["Date"][:7]: float(r["Exchange rate"])
            for r in csv.DictReader(fh)
            if r["Country"] == "China"
        }


FX = _fx()


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "chokepoint"), *args, "--data-dir", str(data_dir)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _run(data_dir: Path) -> str:
    done = _cli(data_dir, "run", "--from", "2024-01", "--to", "2024-06")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return done.stdout


def _query(data_dir: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(data_dir / "warehouse" / "chokepoint.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _panel(data_dir: Path, batch: int, group: int) -> dict[str, tuple]:
    return {
        r[0]: r[1:]
        for r in _query(
            data_dir,
            f"""
        SELECT period_month, imports_usd, null_reason, n_hs8_reporting, codes_expected,
               coverage_share
        FROM marts.fct_tech_group_monthly WHERE batch = {batch} AND group_id = {group}""",
        )
    }


def _reconcile(data_dir: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "CHOKEPOINT_DATA_DIR": str(data_dir),
        "CHOKEPOINT_WAREHOUSE": str(data_dir / "warehouse" / "chokepoint.duckdb"),
        "CHOKEPOINT_GRAIN_RECONCILIATION_SEVERITY": "error",
    }
    return subprocess.run(
        [
            str(BIN / "dbt"),
            "test",
            "--project-dir",
            "dbt_project",
            "--profiles-dir",
            "dbt_project",
            "--select",
            "assert_customs_grains_reconcile",
            # its own target: the shared manifest must keep the default severity for the
            # rest of the session (the definitions snapshot reads it)
            "--target-path",
            str(data_dir / "dbt_target"),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def stages(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("grains-data")
    landing = data_dir / "landing" / "customs"
    shutil.copytree(GRAINS / "stage1", landing)
    first = _run(data_dir)
    snapshot = {
        "raw_rows": _query(data_dir, "SELECT count(*) FROM raw.customs_monthly_trade")[0][0],
        "b1g4": _panel(data_dir, 1, 4),
        "b2g8": _panel(data_dir, 2, 8),
        "coverage": _query(
            data_dir,
            "SELECT period_month, flow, grain, verdict FROM "
            "marts.fct_customs_coverage ORDER BY ALL",
        ),
        "list": _query(
            data_dir,
            "SELECT period_month, flow, grain, list_codes, "
            "list_codes_loaded, off_list_codes FROM marts.fct_customs_coverage",
        ),
        "held": _query(
            data_dir,
            "SELECT period_month, flow, grain, count(DISTINCT hs8) "
            "FROM staging.stg_customs__monthly_trade GROUP BY ALL",
        ),
        "codes": _query(data_dir, "SELECT DISTINCT hs8 FROM staging.stg_customs__monthly_trade"),
        "plan": _cli(data_dir, "customs", "plan", "--from", "2024-01", "--to", "2024-06"),
        "plan_csv": (data_dir / "reports" / "customs_plan.csv").read_text(),
        "coverage_cli": _cli(data_dir, "customs", "coverage"),
        "reconcile": _reconcile(data_dir),
        "report": first,
    }
    time.sleep(0.05)  # the stage-2 files are newer
    for f in (GRAINS / "stage2").iterdir():
        shutil.copy(f, landing / f.name)
    second = _run(data_dir)
    return data_dir, snapshot, second


def test_partial_files_union_and_grains_are_not_added(stages):
    data_dir, first, _ = stages
    # 5 + 3 rows (part1, part2), overlap 5 of which 2 identical, commodity 4, partner 5,
    # export 4
    assert first["raw_rows"] == 5 + 3 + 3 + 4 + 5 + 4
    b1g4 = first["b1g4"]
    expect = {
        "2024-01": 1_000_000 + 500_000 + 3_000_000 + 70_000,  # both partial files
        "2024-02": 2_000_000 + 1_200_000 + 60_000,
        "2024-04": 1_500_000 + 2_000_000 + 65_000,
        "2024-05": 2_500_000 + 2_400_000 + 90_000,
    }  # commodity grain, not doubled
    for month, cny in expect.items():
        assert b1g4[month][0] == pytest.approx(cny / FX[month], rel=1e-12), month
        assert b1g4[month][1:] == (None, 3, 3, 1.0)
    totals = _query(
        data_dir,
        "SELECT total_grain, grains_available FROM "
        "intermediate.int_customs__code_totals WHERE period_month = '2024-05' "
        "AND hs8 = '84118100'",
    )
    assert totals == [("commodity", 2)]


def test_gap_month_and_undownloaded_code_are_null_with_a_reason(stages):
    _, first, _ = stages
    b1g4, b2g8 = first["b1g4"], first["b2g8"]
    assert b1g4["2024-03"][:2] == (None, "no import file loaded for this month")
    assert b2g8["2024-03"][:2] == (None, "no import file loaded for this month")
    # 84141000 not in the 2024-04 file, and no manifest said it was asked for
    assert b2g8["2024-04"] == (None, "not downloaded: 1 of 1 codes", 0, 1, 0.0)
    # 2024-02: asked for by part2's query (manifest) and absent: no trade, a real zero
    assert b2g8["2024-02"] == (0.0, None, 0, 1, 1.0)
    assert b2g8["2024-01"][0] == pytest.approx(40_000 / FX["2024-01"], rel=1e-12)


def test_coverage_and_plan_after_the_first_stage(stages):
    _, first, _ = stages
    verdicts = {(m, f, g): v for m, f, g, v in first["coverage"]}
    assert verdicts[("2024-03", "import", "commodity,partner")] == "not loaded"
    assert verdicts[("2024-03", "export", "commodity")] == "not loaded"
    assert verdicts[("2024-01", "export", "commodity")] == "complete"
    assert verdicts[("2024-04", "import", "commodity,partner")] == "partial"
    assert first["coverage_cli"].returncode == 0
    assert "2024-03  import" in first["coverage_cli"].stdout
    plan = first["plan"]
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert "customs_plan.csv" in plan.stdout
    rows = list(csv.DictReader(first["plan_csv"].splitlines()))
    exports = [(r["month_from"], r["month_to"], r["codes"]) for r in rows if r["flow"] == "export"]
    # exports hold one code, loaded in 01, 02, 04, 05: only the missing months, all codes
    assert exports == [("2024-03", "2024-03", "all"), ("2024-06", "2024-06", "all")]
    imports = {r["month_from"]: r["codes"] for r in rows if r["flow"] == "import"}
    assert imports["2024-03"] == "all" and imports["2024-06"] == "all"


def _list_2023() -> set[str]:
    path = REPO / "data" / "reference" / "gacc_codes" / "commodities" / "en-hs8-2023.csv"
    with path.open(encoding="latin-1") as fh:  # the codes are ASCII; the text is not UTF-8
        return {r["CODES"] for r in csv.DictReader(fh)}


def test_coverage_counts_china_customs_whole_list(stages):
    """2024 has no list of its own: the newest (2023) stands. Every fixture code is a line
    of it, so what is loaded of the list is the codes loaded."""
    _, first, _ = stages
    listed = _list_2023()
    loaded = {(m, f, g): n for m, f, g, n in first["held"]}
    assert {h for (h,) in first["codes"]} <= listed
    for month, flow, grain, codes, codes_loaded, off_list in first["list"]:
        assert codes == len(listed), (month, flow, grain)
        assert codes_loaded == loaded.get((month, flow, grain), 0), (month, flow, grain)
        assert off_list == 0
    months = {m for m, f, g, *_ in first["list"] if (f, g) == ("import", "commodity")}
    cli = first["coverage_cli"].stdout
    assert f"of {len(listed) * len(months):,} code-months" in cli, cli


def test_grain_reconciliation_passes_then_fails_on_a_mismatch(stages):
    data_dir, first, second = stages
    assert first["reconcile"].returncode == 0, first["reconcile"].stdout[-3000:]
    check = "staging/stg_customs__monthly_trade:assert_customs_grains_reconcile"
    assert f"warned   {check}" not in first["report"]
    failing = _reconcile(data_dir)
    assert failing.returncode != 0
    assert "Got 1 result" in failing.stdout, failing.stdout[-3000:]
    # in the run it warns (the default severity) and blocks nothing
    assert f"warned   {check}" in second, second[-3000:]
    # totals from the commodity file (3,000,000), not the partner rows (2,900,000), and
    # never both
    assert _query(
        data_dir,
        "SELECT total_grain, value_usd FROM "
        "intermediate.int_customs__code_totals WHERE period_month = '2024-06' "
        "AND hs8 = '84118100'",
    ) == [("commodity", pytest.approx(3_000_000 / FX["2024-06"]))]
    # 84119990 is in neither 2024-06 file: the group-month is not a value
    assert _panel(data_dir, 1, 4)["2024-06"][:2] == (None, "not downloaded: 1 of 3 codes")


def test_revision_changes_one_key_in_the_pipeline(stages):
    data_dir, first, _ = stages
    # the revision file: 1 identical row (collapsed) and 1 revised key; + 2 commodity and
    # 3 partner rows of 2024-06
    assert _query(data_dir, "SELECT count(*) FROM raw.customs_monthly_trade")[0][0] == (
        first["raw_rows"] + 5
    )
    assert _query(
        data_dir,
        "SELECT hs8, partner_code, old_value_native, new_value_native, "
        "old_file, new_file FROM raw.customs_revisions",
    ) == [
        (
            "84118200",
            "502",
            1_200_000.0,
            1_350_000.0,
            "gacc_hs8_import_part1.csv",
            "gacc_hs8_import_revised.csv",
        )
    ]
    b1g4 = _panel(data_dir, 1, 4)
    assert b1g4["2024-02"][0] == pytest.approx(
        (2_000_000 + 1_350_000 + 60_000) / FX["2024-02"], rel=1e-12
    )
    for month in ("2024-01", "2024-04", "2024-05"):  # untouched (a rebuild may add in
        # another order, so the value to 1e-12)
        assert b1g4[month][0] == pytest.approx(first["b1g4"][month][0], rel=1e-12), month
        assert b1g4[month][1:] == first["b1g4"][month][1:], month
    # staging holds each current row once
    assert _query(
        data_dir,
        "SELECT (SELECT count(*) FROM raw.customs_monthly_trade) = "
        "(SELECT count(*) FROM staging.stg_customs__monthly_trade)",
    )[0][0]
