"""Jobs: the monthly refresh (customs and everything downstream) and the annual sources."""

import dagster as dg

from orchestration.defs.comtrade.assets import COMTRADE_KEY
from orchestration.defs.gdp.assets import GDP_KEY
from orchestration.defs.partitions import annual_partitions, monthly_partitions

ANNUAL_SOURCES = dg.AssetSelection.assets(COMTRADE_KEY, GDP_KEY)

monthly_refresh_job = dg.define_asset_job(
    "monthly_refresh",
    selection=dg.AssetSelection.all() - ANNUAL_SOURCES,
    partitions_def=monthly_partitions,
    description="Load customs months, then rebuild reference, staging, marts and indicators.",
)

annual_sources_job = dg.define_asset_job(
    "annual_sources",
    selection=ANNUAL_SOURCES,
    partitions_def=annual_partitions,
    description="Load UN Comtrade and GDP for a range of years.",
)
