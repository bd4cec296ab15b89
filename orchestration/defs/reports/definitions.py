"""The reports domain's definitions: charts and the dbt docs site."""

import dagster as dg

from orchestration.defs.catalog import with_catalog
from orchestration.defs.reports.assets import REPORT_ASSETS

defs = dg.Definitions(assets=with_catalog(REPORT_ASSETS))
