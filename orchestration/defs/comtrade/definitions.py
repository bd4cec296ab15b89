"""The Comtrade domain's definitions."""

import dagster as dg

from orchestration.defs.catalog import with_catalog
from orchestration.defs.comtrade.assets import comtrade_annual_flows

defs = dg.Definitions(assets=with_catalog([comtrade_annual_flows]))
