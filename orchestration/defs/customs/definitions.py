"""The customs domain's definitions: the asset, its declared coverage, checks, sensor."""

import dagster as dg

from orchestration.defs.catalog import DECLARED_COVERAGE, with_catalog
from orchestration.defs.customs.assets import customs_monthly_trade
from orchestration.defs.customs.checks import CHECKS
from orchestration.defs.customs.sensors import customs_landing_sensor

defs = dg.Definitions(
    assets=with_catalog([customs_monthly_trade, DECLARED_COVERAGE]),
    asset_checks=CHECKS,
    sensors=[customs_landing_sensor],
)
