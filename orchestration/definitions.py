"""The one Definitions of the Chokepoint code location.

Importing it writes nothing: folders, ``dagster.yaml`` and the dbt manifest are set-up
work of ``./bootstrap.sh`` and the CLI (a test imports it against an empty data folder
and finds the folder unchanged). The code server only exports the settings subprocesses
read (dbt's profile reads CHOKEPOINT_WAREHOUSE).
"""

import os

import dagster as dg

from orchestration.defs.catalog import DECLARED_COVERAGE, with_catalog
from orchestration.defs.comtrade.assets import comtrade_annual_flows
from orchestration.defs.customs.assets import customs_monthly_trade
from orchestration.defs.customs.checks import CHECKS as CUSTOMS_CHECKS
from orchestration.defs.customs.sensors import customs_landing_sensor
from orchestration.defs.dbt.assets import DBT_ASSETS
from orchestration.defs.gdp.assets import fx_monthly, gdp_annual
from orchestration.defs.reference.assets import reference_tables
from orchestration.defs.reference.checks import CHECKS as REFERENCE_CHECKS
from orchestration.defs.reports.assets import REPORT_ASSETS
from orchestration.defs.resources import build_resources
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
from orchestration.defs.serving.assets import serving_publication
from orchestration.settings import Settings, exported_environment

# only the environment subprocesses read; no folder or file (set-up work of the CLI)
os.environ.update(exported_environment(Settings.from_env()))
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")

defs = dg.Definitions(
    assets=[
        *with_catalog([customs_monthly_trade, DECLARED_COVERAGE, comtrade_annual_flows,
                       gdp_annual, fx_monthly, reference_tables, *REPORT_ASSETS,
                       serving_publication]),
        *DBT_ASSETS,
    ],
    asset_checks=[*CUSTOMS_CHECKS, *REFERENCE_CHECKS],
    jobs=[monthly_refresh_job, annual_sources_job, customs_ingest_job, build_job],
    schedules=[monthly_refresh_schedule, annual_sources_schedule],
    sensors=[customs_landing_sensor],
    resources=build_resources(),
    # One process: DuckDB has one writer, and per-step subprocesses re-import the stack.
    executor=dg.in_process_executor,
)
