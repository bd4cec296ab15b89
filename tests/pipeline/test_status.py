"""`chokepoint status` (issues 22 and 24): the last run with its ids, time, window and
outcome and its error whole; tables grouped by layer with row counts; the files loaded
per source with the account of their rows."""

import json

import duckdb

from orchestration.lib import accounting
from orchestration.settings import Settings
from orchestration.status import render_status


def test_status_groups_tables_by_layer_and_shows_the_last_run_whole(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    (tmp_path / "dagster_home").mkdir()
    settings = Settings(data_dir=tmp_path)
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(settings.warehouse_path))
    for schema, table, n in (
        ("raw", "gdp_annual", 3),
        ("staging", "stg_gdp__annual", 2),
        ("marts", "fct_x", 1),
    ):
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        con.execute(f"CREATE TABLE {schema}.{table} AS SELECT range AS i FROM range({n})")
    empty = accounting.FileAccount(
        "comtrade", "old.csv", rows_read=30, set_aside={"outside_window": 30}
    )
    used = accounting.FileAccount(
        "gdp", "weo.csv", rows_read=5, rows_stored=3, set_aside={"other_series": 2}
    )
    accounting.record(con, [empty, used], "r1", ("2015", "2024"))
    con.close()
    error = "step raw__comtrade_annual_flows: ValueError: bad\n" + "x" * 3000 + "\nlast line"
    settings.reports_dir.mkdir(parents=True, exist_ok=True)
    (settings.reports_dir / "last_run.json").write_text(
        json.dumps(
            {
                "invocation": "abc",
                "run_ids": ["r1", "r2"],
                "started_at": "2026-12-01T10:00:00Z",
                "window": ["2015-01", "2024-12"],
                "outcome": "FAILED",
                "failures": [error],
                "checks": {"raw/x:ge_x": "failed"},
                "warnings": [empty.warning()],
                "seconds": 12.5,
            }
        )
    )

    out = render_status(settings)
    assert (
        "last run:    FAILED, started 2026-12-01T10:00:00Z, window 2015-01 .. 2024-12, 12.5 s"
    ) in out
    assert "runs:        r1, r2 (tag chokepoint/invocation=abc)" in out
    assert "  ERROR: step raw__comtrade_annual_flows: ValueError: bad\n    " + "x" * 3000 in out
    assert "\n    last line" in out
    lines = out.splitlines()
    layers = [ln.strip() for ln in lines if ln.startswith("  ") and not ln.startswith("   ")]
    assert [x for x in layers if x in ("raw", "staging", "marts")] == ["raw", "staging", "marts"]
    assert any(ln.split()[:2] == ["staging.stg_gdp__annual", "2"] for ln in lines)
    assert any(ln.split()[:2] == ["raw.gdp_annual", "3"] for ln in lines)
    assert "    old.csv: read 30, stored 0; set aside: outside the window 30" in out
    assert "      WARNING: nothing stored; main reason: outside the window" in out
    assert "    weo.csv: read 5, stored 3; set aside: other series 2" in out
    assert out.index("  comtrade\n") < out.index("  gdp\n")
