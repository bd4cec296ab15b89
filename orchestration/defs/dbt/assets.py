"""dbt models as Dagster assets, one ``@dbt_assets`` per layer.

Splitting by layer makes blocking checks real gates (STACK.md pitfall 1): a failed
check on a staging or mart asset stops the next layer's step from running at all.
"""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from orchestration.defs.dbt.project import dbt_project, ensure_manifest

LAYERS = {
    "staging": "resource_type:seed path:models/staging",
    "marts": "path:models/intermediate path:models/marts",
    "indicators": "path:models/indicators path:models/reports",
}


class ChokepointTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        # Model names are unique and say their layer (stg_, int_, fct_, ind_), so the key
        # is the bare name; sources keep the ingestion assets' keys from their meta.
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dg.AssetKey([dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else super().get_group_name(dbt_resource_props)


translator = ChokepointTranslator(
    settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
)
manifest = ensure_manifest()


def _build(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    # "buildable": a test that reads models of a later layer runs with that layer.
    args = ["build", "--indirect-selection", "buildable"]
    # No fetch_row_counts(): it opens the DuckDB file in this process through the dbt
    # adapter and keeps it locked, so the next layer's dbt process could not write.
    yield from dbt.cli(args, context=context).stream()


@dbt_assets(manifest=manifest, select=LAYERS["staging"], name="dbt_staging",
            dagster_dbt_translator=translator, project=dbt_project)
def dbt_staging(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    yield from _build(context, dbt)


@dbt_assets(manifest=manifest, select=LAYERS["marts"], name="dbt_marts",
            dagster_dbt_translator=translator, project=dbt_project)
def dbt_marts(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    yield from _build(context, dbt)


@dbt_assets(manifest=manifest, select=LAYERS["indicators"], name="dbt_indicators",
            dagster_dbt_translator=translator, project=dbt_project)
def dbt_indicators(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    yield from _build(context, dbt)


DBT_ASSETS = [dbt_staging, dbt_marts, dbt_indicators]
