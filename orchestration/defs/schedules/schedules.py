"""The monthly refresh after the customs release, and a quarterly pass on annual sources."""

from datetime import datetime

import dagster as dg

from orchestration.defs.schedules.jobs import annual_sources_job, monthly_refresh_job

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"
REVISED_MONTHS = 2  # GACC revises the two months before the newest release


def _month_start(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}-01"


def refresh_window(when: datetime) -> tuple[str, str]:
    """Partitions a tick asks for: the month just released (the one before the tick's
    month) and the two before it, which the release may revise."""
    y, m = when.year, when.month
    latest = (y, m - 1) if m > 1 else (y - 1, 12)
    ly, lm = latest
    first_index = ly * 12 + (lm - 1) - REVISED_MONTHS
    return _month_start(first_index // 12, first_index % 12 + 1), _month_start(ly, lm)


@dg.schedule(
    job=monthly_refresh_job,
    cron_schedule="0 6 20 * *",
    execution_timezone="Asia/Shanghai",
    description="Around the 20th, after GACC releases the previous month: load it and "
                "re-ingest the two months before it, then rebuild everything downstream.",
)
def monthly_refresh_schedule(context: dg.ScheduleEvaluationContext):
    start, end = refresh_window(context.scheduled_execution_time)
    return dg.RunRequest(
        run_key=f"monthly_refresh_{end}",
        tags={RANGE_START: start, RANGE_END: end},
    )


@dg.schedule(
    job=annual_sources_job,
    cron_schedule="0 5 20 1,4,7,10 *",
    execution_timezone="UTC",
    description="Quarterly: reload the last three years of Comtrade and GDP (late reports, "
                "revisions, new WEO vintages).",
)
def annual_sources_schedule(context: dg.ScheduleEvaluationContext):
    year = context.scheduled_execution_time.year
    return dg.RunRequest(
        run_key=f"annual_sources_{context.scheduled_execution_time:%Y-%m}",
        tags={RANGE_START: str(year - 3), RANGE_END: str(year - 1)},
    )
