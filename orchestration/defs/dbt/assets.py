"""dbt models as Dagster assets, one ``@dbt_assets`` per layer.

Splitting by layer makes blocking checks real gates (docs/architecture.md (stack notes:
one dbt asset per layer)): a failed check on a staging or mart asset stops the next
layer's step from running at all.
"""

import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from orchestration.defs.dbt.column_lineage import column_metadata
from orchestration.defs.dbt.project import parsed_manifest
from orchestration.lib.warehouse import connect_read_only
from orchestration.settings import WAREHOUSE_CATALOG, get_settings

OWNER = "team:chokepoint-data"
# By folder as dbt names them (fqn), not by path: a path selection needs the DbtProject
# on every asset, which the UI shows as "[DbtProject] (unserializable)".
LAYERS = {
    "staging": "resource_type:seed fqn:chokepoint.staging",
    "marts": "fqn:chokepoint.intermediate fqn:chokepoint.marts",
    "indicators": "fqn:chokepoint.indicators fqn:chokepoint.reports",
}


class ChokepointTranslator(DagsterDbtTranslator):
    """Keys, groups, tags and check descriptions of the dbt assets."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        """Schema and table for models, seeds and snapshots."""
        # Every table asset's key is its warehouse schema and table, as the ingestion
        # assets' keys are (raw/..., raw_ref/...); sources keep those keys from their meta.
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dg.AssetKey([dbt_resource_props["schema"], _table(dbt_resource_props)])
        return super().get_asset_key(dbt_resource_props)

    def get_metadata(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, Any]:
        """dagster-dbt's metadata, with the warehouse's table name."""
        metadata = dict(super().get_metadata(dbt_resource_props))
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            # the warehouse's table, whatever file the manifest was parsed against
            metadata["dagster/table_name"] = ".".join(
                [WAREHOUSE_CATALOG, dbt_resource_props["schema"], _table(dbt_resource_props)]
            )
        return metadata

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        """One owner for every dbt asset."""
        return [OWNER]

    def get_tags(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, str]:
        """The layer (and the staging domain) as tags."""
        fqn = dbt_resource_props.get("fqn", [])
        layer = self.get_group_name(dbt_resource_props) or "models"
        tags = {**super().get_tags(dbt_resource_props), "layer": layer}
        if layer == "staging" and len(fqn) > 3:
            tags["domain"] = fqn[2]
        return tags

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """The layer, named as the model folder."""
        # the groups are the layers, named as the model folders (and schemas) are
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else super().get_group_name(dbt_resource_props)

    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project):
        """dagster-dbt's check, with a one-line description."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        test = manifest["nodes"][unique_id]
        return spec._replace(description=test_description(test))


def _table(dbt_resource_props: Mapping[str, Any]) -> str:
    return dbt_resource_props.get("alias") or dbt_resource_props["name"]


def _args(kwargs: Mapping[str, Any]) -> Mapping[str, Any]:
    return {k: v for k, v in kwargs.items() if k != "model"}


def _opening_sentence(sql: str) -> str:
    """The first sentence of a SQL file's leading comment (Jinja or ``--`` lines)."""
    jinja = re.match(r"\s*\{#-?(.*?)-?#\}", sql, re.S)
    if jinja:
        text = jinja.group(1)
    else:
        lines = []
        for line in sql.lstrip().splitlines():
            if not line.startswith("--"):
                break
            lines.append(line[2:])
        text = " ".join(lines)
    text = " ".join(text.split())
    return text.split(". ")[0].rstrip(".") + "." if text else ""


def test_description(test: Mapping[str, Any]) -> str:
    """One line saying what a dbt test guards.

    One line saying what a dbt test guards: its own description when it has one, else
    the opening sentence of a singular test's comment, else its generic test in words.
    """
    own = test.get("description") or (test.get("meta") or {}).get("description")
    if own:
        return " ".join(own.split())
    metadata = test.get("test_metadata") or {}
    if not metadata:
        return _opening_sentence(test.get("raw_code", "")) or test["name"].replace("_", " ")
    kwargs = _args(metadata.get("kwargs", {}))
    column = kwargs.get("column_name") or test.get("column_name")
    name = metadata["name"]
    words = _GENERIC.get(name)
    if words is not None:
        return words(column, kwargs)
    return f"{name} on " + ", ".join(f"{k}={v}" for k, v in kwargs.items()) + "."


def _ref_name(text: object) -> str:
    return re.sub(r"ref\('([^']+)'\)", r"\1", str(text))


def _joined(kwargs: Mapping[str, Any], key: str) -> str:
    return ", ".join(map(str, kwargs.get(key, [])))


# a generic test in words: (column, kwargs) -> one line
_GENERIC = {
    "not_null": lambda c, k: f"{c} is never null.",
    "unique": lambda c, k: f"No two rows share a {c}.",
    "accepted_values": lambda c, k: f"{c} is one of: {_joined(k, 'values')}.",
    "relationships": lambda c, k: f"Every {c} is a {k.get('field')} of {_ref_name(k.get('to'))}.",
    "unique_combination": lambda c, k: f"One row per {_joined(k, 'columns')}.",
    "one_value_per_group": lambda c, k: f"One {c} per {_joined(k, 'group_by')}.",
    "expression_is_true": lambda c, k: f"Every row satisfies {k.get('expression')}.",
    "conserves_total": lambda c, k: (
        f"{k.get('value')} sums to {_ref_name(k.get('source_model'))}'s "
        f"{k.get('source_value')} per {_joined(k, 'group_by')}."
    ),
}


translator = ChokepointTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
manifest = parsed_manifest()


def _build(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    # "buildable": a test that reads models of a later layer runs with that layer.
    args = ["build", "--indirect-selection", "buildable"]
    # Not fetch_row_counts(): it opens the DuckDB file through the dbt adapter while dbt
    # still writes it. Events wait for the dbt process to end; then one short read-only
    # connection adds each table's row count and origin.
    events: list = []
    invocation = dbt.cli(args, context=context)
    try:
        for event in invocation.stream():
            events.append(event)
    except Exception:
        # a failed test or model: what dbt did before still reaches Dagster (the failed
        # check above all), then the step fails
        yield from with_table_facts(events, invocation.target_path)
        raise
    yield from with_table_facts(events, invocation.target_path)


def _unique_id(event) -> str | None:
    unique_id = event.metadata.get("unique_id")
    return getattr(unique_id, "value", unique_id)


def _table_of(event) -> str | None:
    """The warehouse table of a dbt output.

    The warehouse table of a dbt output: dagster-dbt's runtime events carry the model's
    unique_id, not its table name.
    """
    if event.metadata.get("dagster/table_name"):
        return event.metadata["dagster/table_name"].value
    node = _manifest_nodes().get(_unique_id(event))
    return ".".join([WAREHOUSE_CATALOG, node["schema"], _table(node)]) if node else None


@functools.cache
def _manifest_nodes() -> dict:
    import json

    nodes = json.loads(manifest.read_text())["nodes"]
    return {k: n for k, n in nodes.items() if n["resource_type"] in ("model", "seed", "snapshot")}


def manifest_models() -> list[dict]:
    """The models of the manifest the dbt assets were defined from."""
    return [n for n in _manifest_nodes().values() if n["resource_type"] == "model"]


def with_table_facts(events: list, target_path: Path | None = None) -> list:
    """Table facts on each materialized model.

    Table name, row count, origin (real / synthetic / mixed), columns and column
    lineage on each materialized model, and its chart where one shows it.
    """
    from orchestration.defs.reports.assets import chart_metadata

    events = [_with_duration_unit(e) for e in events]
    settings = get_settings()
    # dbt writes where CHOKEPOINT_WAREHOUSE points (the Spark parity run sets it)
    warehouse = str(settings.paths.warehouse or settings.warehouse_path)
    tables = {id(e): _table_of(e) for e in events if isinstance(e, dg.Output)}
    outputs = [e for e in events if tables.get(id(e))]
    if not outputs or settings.runtime.target != "duckdb" or not Path(warehouse).exists():
        return events
    facts, described = {}, {}
    con = connect_read_only(warehouse)
    try:
        for event in outputs:
            table = tables[id(event)]
            facts[id(event)] = {
                "dagster/table_name": dg.MetadataValue.text(table),
                **_table_facts(con, table),
                **column_metadata(con, target_path, _unique_id(event), translator, described),
                **chart_metadata(con, table.removeprefix(f"{WAREHOUSE_CATALOG}.")),
            }
    finally:
        con.close()
    return [
        e.with_metadata({**e.metadata, **facts[id(e)]}) if id(e) in facts else e for e in events
    ]


DBT_DURATION = "Execution Duration"
DURATION = "execution_duration_s"


def _with_duration_unit(event):
    """The execution duration, named with its unit.

    dagster-dbt's "Execution Duration" is a bare float: the same figure, named with
    its unit (seconds).
    """
    metadata = getattr(event, "metadata", None) or {}
    if DBT_DURATION not in metadata or not isinstance(event, dg.Output):
        return event
    value = metadata[DBT_DURATION]
    seconds = float(getattr(value, "value", value))
    rest = {k: v for k, v in metadata.items() if k != DBT_DURATION}
    return event.with_metadata({**rest, DURATION: dg.MetadataValue.float(round(seconds, 3))})


def _table_facts(con, table: str) -> dict:
    try:
        rows = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    except duckdb.Error:
        return {}
    facts = {"dagster/row_count": dg.MetadataValue.int(rows)}
    columns = {r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}
    if "origin" in columns:
        origins = sorted(
            r[0]
            for r in con.execute(
                f"SELECT DISTINCT origin FROM {table} WHERE origin IS NOT NULL"
            ).fetchall()
        )
        facts["origin"] = dg.MetadataValue.text(
            origins[0] if len(origins) == 1 else ("mixed" if origins else "none")
        )
    return facts


@dbt_assets(
    manifest=manifest,
    select=LAYERS["staging"],
    name="dbt_staging",
    dagster_dbt_translator=translator,
)
def dbt_staging(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """Build the staging layer and seeds, with their tests."""
    yield from _build(context, dbt)


@dbt_assets(
    manifest=manifest, select=LAYERS["marts"], name="dbt_marts", dagster_dbt_translator=translator
)
def dbt_marts(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """Build the intermediate and mart layers, with their tests."""
    yield from _build(context, dbt)


@dbt_assets(
    manifest=manifest,
    select=LAYERS["indicators"],
    name="dbt_indicators",
    dagster_dbt_translator=translator,
)
def dbt_indicators(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """Build the indicators and reports, with their tests."""
    yield from _build(context, dbt)


DBT_ASSETS = [dbt_staging, dbt_marts, dbt_indicators]
