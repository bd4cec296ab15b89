"""The monthly tick asks for the newest month and the two it may revise."""

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from orchestration.defs.schedules.schedules import (
    RANGE_END,
    RANGE_START,
    annual_sources_schedule,
    monthly_refresh_schedule,
    refresh_window,
)


@pytest.mark.parametrize(
    ("tick", "start", "end"),
    [
        (datetime(2026, 11, 20, 6), "2026-08-01", "2026-10-01"),
        (datetime(2026, 1, 20, 6), "2025-10-01", "2025-12-01"),  # across the year
        (datetime(2026, 2, 20, 6), "2025-11-01", "2026-01-01"),
        (datetime(2026, 3, 20, 6), "2025-12-01", "2026-02-01"),
    ],
)
def test_refresh_window(tick, start, end):
    assert refresh_window(tick) == (start, end)


def _tick(instance):
    return dg.build_schedule_context(
        instance=instance,
        scheduled_execution_time=datetime(2026, 11, 20, 6, tzinfo=ZoneInfo("Asia/Shanghai")),
    )


def test_monthly_tick_requests_the_changed_months_of_its_window(tmp_path, monkeypatch):
    """The tick refreshes the months of its window whose files are new, not the others."""

    monkeypatch.setenv("CHOKEPOINT_DATA_DIR", str(tmp_path))
    with dg.instance_for_test() as instance:
        _ticks(instance, tmp_path)


def _ticks(instance, tmp_path):
    from tests.pipeline.test_sensor_and_cli import _write_portal_file

    # no file for the window: nothing to refresh
    assert isinstance(monthly_refresh_schedule(_tick(instance)), dg.SkipReason)
    landing = tmp_path / "landing" / "customs"
    landing.mkdir(parents=True)
    _write_portal_file(landing / "gacc_2026_import.csv", ["202609", "202610", "202611"])
    request = monthly_refresh_schedule(_tick(instance))
    assert isinstance(request, dg.RunRequest)
    # 2026-11 holds rows too, but lies after the window the tick asks for
    assert request.tags[RANGE_START] == "2026-09-01"
    assert request.tags[RANGE_END] == "2026-10-01"
    assert request.run_key.startswith("monthly_refresh_2026-10-01_")
    _write_portal_file(landing / "gacc_2026_import.csv", ["202609"], value="2,000")
    again = monthly_refresh_schedule(_tick(instance))
    assert (again.tags[RANGE_START], again.tags[RANGE_END]) == ("2026-09-01", "2026-09-01")
    assert again.run_key != request.run_key


def test_annual_tick_requests_last_three_years():
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 4, 20, 5))
    request = annual_sources_schedule(context)
    assert (request.tags[RANGE_START], request.tags[RANGE_END]) == ("2023", "2025")
