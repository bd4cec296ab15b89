"""Write, audit, publish on customs files, end to end: a bad-but-valid revision that the
audit refuses changes nothing and moves aside; accepted, it can be reverted."""

import math
from datetime import UTC, datetime

import duckdb

from orchestration.cli import main
from tests.pipeline.revisions import collapsed_revision


def _snapshot(settings, table: str) -> list:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
    finally:
        con.close()


def _same(a: list, b: list) -> bool:
    """Equal rows, floats to 1e-9 relative (a rebuild may sum in another order)."""

    def close(x, y) -> bool:
        if isinstance(x, float) and isinstance(y, float):
            return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)
        return x == y

    return len(a) == len(b) and all(
        len(r) == len(q) and all(close(x, y) for x, y in zip(r, q, strict=True))
        for r, q in zip(a, b, strict=True)
    )


def test_a_refused_audit_changes_nothing_and_moves_the_file_aside(first_run, monkeypatch):
    from orchestration.runner import run_pipeline

    settings, _ = first_run
    raw = _snapshot(settings, "raw.customs_monthly_trade")
    vintages = _snapshot(settings, "raw.customs_trade_vintages")
    marts = _snapshot(settings, "marts.fct_tech_group_monthly")
    bad = collapsed_revision(settings, "2019-10")
    monkeypatch.setenv("CHOKEPOINT_VOLUME_SEVERITY", "error")
    report = run_pipeline(settings, month_from="2019-10", month_to="2019-10")
    assert not report.ok
    assert report.checks["raw/customs_monthly_trade:ge_customs_monthly_trade"] == "failed"
    assert _snapshot(settings, "raw.customs_monthly_trade") == raw  # exactly as it was
    assert _snapshot(settings, "raw.customs_trade_vintages") == vintages
    assert _snapshot(settings, "marts.fct_tech_group_monthly") == marts
    moved = settings.landing("customs") / "_refused" / bad.name
    assert not bad.exists() and moved.exists()
    why = moved.with_name(moved.name + ".why.txt").read_text(encoding="utf-8")
    assert "volume" in why and "2019-10" in why
    assert [path for path, _ in report.refused] == [str(moved)]
    assert "refused:" in report.render()
    # the next run does not trip on it again
    monkeypatch.delenv("CHOKEPOINT_VOLUME_SEVERITY")
    again = run_pipeline(settings, month_from="2019-10", month_to="2019-10")
    assert again.ok, again.render()
    assert _snapshot(settings, "raw.customs_monthly_trade") == raw


def test_revert_restores_the_figures_before_a_bad_but_valid_revision(first_run, capsys):
    from orchestration.runner import run_pipeline

    settings, _ = first_run
    raw = _snapshot(settings, "raw.customs_monthly_trade")
    marts = _snapshot(settings, "marts.fct_tech_group_monthly")
    before = datetime.now(UTC).replace(tzinfo=None).isoformat()
    collapsed_revision(settings, "2019-09")
    accepted = run_pipeline(settings, month_from="2019-09", month_to="2019-09")
    assert "failed" not in accepted.checks.values(), accepted.render()  # warned, published
    assert _snapshot(settings, "raw.customs_monthly_trade") != raw
    assert not _same(_snapshot(settings, "marts.fct_tech_group_monthly"), marts)
    capsys.readouterr()
    code = main(["revert", "--data-dir", str(settings.data_dir), "--vintage", before])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "gacc_revised_201909_import.csv" in out
    assert _snapshot(settings, "raw.customs_monthly_trade") == raw
    assert _same(_snapshot(settings, "marts.fct_tech_group_monthly"), marts)
    # the reverted file is not loaded again by the next run
    rerun = run_pipeline(settings, month_from="2019-09", month_to="2019-09")
    assert rerun.ok and _snapshot(settings, "raw.customs_monthly_trade") == raw
