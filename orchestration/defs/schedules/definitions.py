"""Jobs and schedules: the same for the UI, the schedule, the sensor and the CLI."""

import dagster as dg

from orchestration.defs.schedules.jobs import (
    annual_sources_job,
    build_job,
    customs_ingest_job,
    monthly_refresh_job,
)
from orchestration.defs.schedules.schedules import (
    annual_sources_schedule,
    monthly_refresh_schedule,
)

defs = dg.Definitions(
    jobs=[monthly_refresh_job, annual_sources_job, customs_ingest_job, build_job],
    schedules=[monthly_refresh_schedule, annual_sources_schedule],
)
