"""The serving domain's definitions."""

import dagster as dg

from orchestration.defs.catalog import with_catalog
from orchestration.defs.serving.assets import serving_publication

defs = dg.Definitions(assets=with_catalog([serving_publication]))
