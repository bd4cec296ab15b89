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


def test_monthly_tick_requests_partition_range():
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 11, 20, 6, tzinfo=ZoneInfo("Asia/Shanghai"))
    )
    request = monthly_refresh_schedule(context)
    assert request.tags[RANGE_START] == "2026-08-01"
    assert request.tags[RANGE_END] == "2026-10-01"
    assert request.run_key == "monthly_refresh_2026-10-01"


def test_annual_tick_requests_last_three_years():
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 4, 20, 5))
    request = annual_sources_schedule(context)
    assert (request.tags[RANGE_START], request.tags[RANGE_END]) == ("2023", "2025")
