"""The GDP and exchange-rate domain's definitions."""

import dagster as dg

from orchestration.defs.catalog import with_catalog
from orchestration.defs.gdp.assets import fx_monthly, gdp_annual

defs = dg.Definitions(assets=with_catalog([gdp_annual, fx_monthly]))
