"""The reference domain's definitions: reference tables and the checks of the batches."""

import dagster as dg

from orchestration.defs.catalog import with_catalog
from orchestration.defs.reference.assets import reference_tables
from orchestration.defs.reference.checks import CHECKS

defs = dg.Definitions(assets=with_catalog([reference_tables]), asset_checks=CHECKS)
