"""Jobs: the monthly refresh (customs and everything downstream) and the annual sources."""

import dagster as dg

from orchestration.defs.comtrade.assets import COMTRADE_KEY
from orchestration.defs.customs.assets import CUSTOMS_KEY
from orchestration.defs.gdp.assets import FX_KEY, GDP_KEY
from orchestration.defs.partitions import annual_partitions, monthly_partitions
from orchestration.defs.reference.assets import REFERENCE_KEYS

ANNUAL_SOURCES = dg.AssetSelection.assets(COMTRADE_KEY, GDP_KEY)

monthly_refresh_job = dg.define_asset_job(
    "monthly_refresh",
    selection=dg.AssetSelection.all() - ANNUAL_SOURCES,
    partitions_def=monthly_partitions,
    description="Load customs months, then rebuild reference, staging, marts and indicators.",
)

MONTHLY_INPUTS = dg.AssetSelection.assets(CUSTOMS_KEY, FX_KEY, *REFERENCE_KEYS.values())

# The refresh's inputs alone and the build alone: the CLI launches `build` when only the
# build is stale (a model edited, an annual source reloaded); the UI offers both.
customs_ingest_job = dg.define_asset_job(
    "customs_ingest",
    selection=MONTHLY_INPUTS,
    partitions_def=monthly_partitions,
    description="Load customs months, exchange rates and reference files, with their checks.",
)

build_job = dg.define_asset_job(
    "build",
    selection=dg.AssetSelection.all() - ANNUAL_SOURCES - MONTHLY_INPUTS,
    description="dbt staging, marts and indicators, charts and the serving publication.",
)

annual_sources_job = dg.define_asset_job(
    "annual_sources",
    selection=ANNUAL_SOURCES,
    partitions_def=annual_partitions,
    description="Load UN Comtrade and GDP for a range of years.",
)
