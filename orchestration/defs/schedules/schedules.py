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
    """Partitions a tick asks for.

    Partitions a tick asks for: the month just released (the one before the tick's
    month) and the two before it, which the release may revise.
    """
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
    """The months of the window whose files changed, and a stale build.

    The months of the window whose files changed, and the build when it is stale, as
    :func:`orchestration.defs.schedules.decide.decide` says (the CLI's rule).
    """
    from orchestration.defs.schedules.decide import (
        context_code_versions,
        decide,
        selection,
    )
    from orchestration.lib.customs.landing import (
        known_from_warehouse,
        month_versions,
        scan_landing,
        version_of,
    )
    from orchestration.settings import Settings

    start, end = refresh_window(context.scheduled_execution_time)
    settings = Settings.from_env()
    known = known_from_warehouse(settings.warehouse_path)
    if known is None:
        return dg.SkipReason("the warehouse is busy with a run")
    files = scan_landing(settings.landing("customs"), known)
    code_versions = context_code_versions(context)
    decision = decide(context.instance, settings, files, code_versions, window=(start[:7], end[:7]))
    if not decision.months and not (code_versions and decision.build):
        return dg.SkipReason(
            f"nothing changed for {start[:7]} .. {end[:7]}: "
            + "; ".join(decision.reasons or ["inputs and build current"])
        )
    tags = decision.range_tags() if decision.months else {RANGE_START: start, RANGE_END: end}
    return dg.RunRequest(
        # a changed file of the same months is a new request, the same state is not
        run_key=f"monthly_refresh_{end}_"
        + version_of(
            [
                decision.side_version,
                *(f"{m}:{v}" for m, v in month_versions(files).items() if m in decision.months),
            ]
        ),
        tags={**tags, **decision.tags()},
        asset_selection=selection(decision, code_versions) if code_versions else None,
    )


@dg.schedule(
    job=annual_sources_job,
    cron_schedule="0 5 20 1,4,7,10 *",
    execution_timezone="UTC",
    description="Quarterly: reload the last three years of Comtrade and GDP (late reports, "
    "revisions, new WEO vintages).",
)
def annual_sources_schedule(context: dg.ScheduleEvaluationContext):
    """The last three full years of Comtrade and GDP."""
    year = context.scheduled_execution_time.year
    return dg.RunRequest(
        run_key=f"annual_sources_{context.scheduled_execution_time:%Y-%m}",
        tags={RANGE_START: str(year - 3), RANGE_END: str(year - 1)},
    )
