"""Partitions shared by the ingestion assets: customs monthly, Comtrade and GDP annual."""

import dagster as dg

from orchestration.settings import FIRST_YEAR

monthly_partitions = dg.MonthlyPartitionsDefinition(start_date=f"{FIRST_YEAR}-01-01")

annual_partitions = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *", start=str(FIRST_YEAR), fmt="%Y"
)


def month_keys(context: dg.AssetExecutionContext) -> list[str]:
    """Partition keys of this run as 'YYYY-MM' (a run may cover a range of months)."""
    return [key[:7] for key in context.partition_keys]


def year_keys(context: dg.AssetExecutionContext) -> list[int]:
    """The years (integers) of an annual run's partitions."""
    return [int(key) for key in context.partition_keys]
