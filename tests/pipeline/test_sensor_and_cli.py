"""The landing sensor reacts to new and changed files only; the CLI's report and status."""

import json
import os

import dagster as dg
import pytest

from orchestration.cli import main


def _write_portal_file(path, months, value="1,000"):
    header = (
        '"数据年月","贸易伙伴编码","贸易伙伴名称","商品编码","商品名称","第一数量",'
        '"第一计量单位","第二数量","第二计量单位","美元",\r\n'
    )
    rows = "".join(
        f'"{m}","502","美国","85423100","处理器","10","千克","0","?","{value}",\r\n' for m in months
    )
    path.write_bytes((header + rows).encode("gb18030"))


def test_sensor_new_unchanged_changed(tmp_path, monkeypatch):
    from orchestration.defs.customs.sensors import customs_landing_sensor
    from orchestration.defs.schedules.schedules import RANGE_END, RANGE_START

    monkeypatch.setenv("CHOKEPOINT_DATA_DIR", str(tmp_path))
    landing = tmp_path / "landing" / "customs"
    landing.mkdir(parents=True)
    file = landing / "gacc_test_2024_import.csv"
    _write_portal_file(file, ["202403", "202405"])

    instance = dg.DagsterInstance.ephemeral()
    ctx = dg.build_sensor_context(instance=instance)
    result = customs_landing_sensor(ctx)
    assert isinstance(result, dg.RunRequest)
    assert (result.tags[RANGE_START], result.tags[RANGE_END]) == ("2024-03-01", "2024-05-01")

    ctx2 = dg.build_sensor_context(instance=instance, cursor=ctx.cursor)
    assert isinstance(customs_landing_sensor(ctx2), dg.SkipReason)

    _write_portal_file(file, ["202406"], value="2,000")
    os.utime(file, ns=(1, 10**18))  # a new mtime even on coarse file systems
    ctx3 = dg.build_sensor_context(instance=instance, cursor=ctx2.cursor)
    result = customs_landing_sensor(ctx3)
    assert isinstance(result, dg.RunRequest)
    assert result.tags[RANGE_START] == "2024-06-01"


def test_sensor_first_tick_on_a_loaded_warehouse_requests_nothing(first_run):
    """The cursor starts from what is loaded; touching a file changes no content."""
    from orchestration.defs.customs.sensors import customs_landing_sensor

    settings, _ = first_run
    instance = dg.DagsterInstance.get()  # the decision reads the first run's materializations
    first = dg.build_sensor_context(instance=instance)
    assert isinstance(customs_landing_sensor(first), dg.SkipReason)
    some_file = sorted(settings.landing("customs").glob("*.csv"))[0]
    stat = some_file.stat()
    os.utime(some_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    touched = dg.build_sensor_context(instance=instance, cursor=first.cursor)
    assert isinstance(customs_landing_sensor(touched), dg.SkipReason)


def test_second_run_with_nothing_changed_launches_nothing(first_run):
    """A run records a data version on every customs month it writes and a code version
    on every build asset: the same window again launches no run, no dbt build."""
    from orchestration.runner import run_pipeline

    settings, report = first_run
    # other tests may have changed the state since the first run: bring it up to date
    current = run_pipeline(settings, month_from=report.window[0], month_to=report.window[1])
    assert current.ok, current.render()
    again = run_pipeline(settings, month_from=report.window[0], month_to=report.window[1])
    assert again.nothing_changed and not again.run_ids, again.render()
    assert not [s for s in again.stage_seconds if s.startswith("dbt")]
    assert "nothing changed since the last run" in again.render()
    facts = json.loads((settings.reports_dir / "last_run.json").read_text())
    assert facts["nothing_changed"] and facts["run_ids"] == []


def _decisions(settings, window):
    """The CLI's decision (decide() with the code location's code versions) and the
    sensor's request, on the same landing state and instance."""
    from orchestration.definitions import defs
    from orchestration.defs.customs.sensors import customs_landing_sensor
    from orchestration.defs.schedules.decide import build_code_versions, decide
    from orchestration.lib.customs.landing import known_from_warehouse, scan_landing

    instance = dg.DagsterInstance.get()
    files = scan_landing(settings.landing("customs"), known_from_warehouse(settings.warehouse_path))
    cli = decide(
        instance,
        settings,
        files,
        build_code_versions(defs.get_repository_def().asset_graph),
        window=window,
    )
    sensor = customs_landing_sensor(dg.build_sensor_context(instance=instance, definitions=defs))
    return cli, sensor


def test_a_new_file_refreshes_only_its_months_for_cli_and_sensor(first_run):
    """A file of new content in 2019-06 and 2019-07: both the CLI and the sensor refresh
    exactly those months, with the build; without it both say nothing changed."""
    from orchestration.defs.schedules.schedules import RANGE_END, RANGE_START

    settings, report = first_run
    cli, sensor = _decisions(settings, report.window)
    assert cli.months == [] and isinstance(sensor, dg.SkipReason)
    added = settings.landing("customs") / "gacc_probe_2019_import.csv"
    _write_portal_file(added, ["201906", "201907"], value="7,777")
    try:
        cli, sensor = _decisions(settings, report.window)
    finally:
        added.unlink()
    assert cli.months == ["2019-06", "2019-07"] and cli.build
    assert isinstance(sensor, dg.RunRequest)
    assert (sensor.tags[RANGE_START], sensor.tags[RANGE_END]) == ("2019-06-01", "2019-07-01")
    assert dg.AssetKey(["raw", "customs_monthly_trade"]) in sensor.asset_selection
    assert dg.AssetKey(["marts", "fct_tech_group_monthly"]) in sensor.asset_selection


def test_cli_run_prints_report_and_exit_status(first_run, capsys):
    settings, _ = first_run
    code = main(
        ["run", "--data-dir", str(settings.data_dir), "--from", "2019-11", "--to", "2019-12"]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Chokepoint run report" in out
    assert str(settings.warehouse_path) in out
    assert "checks:" in out and "passed" in out
    assert "SYNTHETIC" in out


def test_cli_rejects_bad_window(first_run):
    settings, _ = first_run
    with pytest.raises(SystemExit):
        main(["run", "--data-dir", str(settings.data_dir), "--from", "2019-13"])


def test_cli_status(first_run, capsys):
    settings, _ = first_run
    assert main(["status", "--data-dir", str(settings.data_dir)]) == 0
    out = capsys.readouterr().out
    assert "raw.customs_monthly_trade" in out and "\n  staging\n" in out
    assert "files loaded" in out and "\n  customs\n" in out
    assert "last run:    OK" in out
