"""The dbt project's definitions: one asset definition per layer."""

import dagster as dg

from orchestration.defs.dbt.assets import DBT_ASSETS

defs = dg.Definitions(assets=DBT_ASSETS)
