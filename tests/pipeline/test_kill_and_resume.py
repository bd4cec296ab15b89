"""A run killed mid-way leaves the warehouse usable; the next run completes the work
without duplicate rows."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[2]


def _chokepoint(data_dir: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "chokepoint"),
            "run",
            "--data-dir",
            str(data_dir),
            "--init",
            "--from",
            "2018-01",
            "--to",
            "2018-12",
            *args,
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def test_kill_during_run_then_resume(tmp_path):
    data_dir = tmp_path / "data"
    proc = _chokepoint(data_dir)
    # kill it hard once the customs load has begun, in the middle of the ingestion
    deadline = time.monotonic() + 180
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if "raw/customs_monthly_trade" in line or "dbt_staging" in line:
            break
        assert time.monotonic() < deadline, "".join(seen)
    time.sleep(1.5)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)

    rerun = _chokepoint(data_dir)
    out, _ = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, out[-4000:]
    assert "status:     OK" in out

    con = duckdb.connect(str(data_dir / "warehouse" / "chokepoint.duckdb"), read_only=True)
    try:
        dupes = con.execute("""
            SELECT count(*) FROM (
                SELECT period_month, flow, partner_code, hs8, count(*) AS n
                FROM raw.customs_monthly_trade GROUP BY ALL HAVING n > 1)""").fetchall()[0][0]
        assert dupes == 0
        files = con.execute(
            "SELECT count(*), count(DISTINCT file_sha256) FROM raw.customs_load_log"
        ).fetchall()[0]
        assert files[0] == files[1] > 0
        vintages = con.execute("""
            SELECT count(*) FROM (SELECT file_sha256, line_no, count(*) AS n
            FROM raw.customs_trade_vintages GROUP BY ALL HAVING n > 1)""").fetchall()[0][0]
        assert vintages == 0
        assert (
            con.execute("SELECT count(*) FROM indicators.ind_group_patterns").fetchall()[0][0] > 0
        )
    finally:
        con.close()
