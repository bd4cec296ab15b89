"""Asset keys of dbt tables for Python code that names them, read from the dbt manifest.

Keys are never rebuilt by hand: a model's key is whatever the translator gives its
manifest node (schema/table), so renaming a model or moving it to another schema moves
every Python reference with it.
"""

import functools

import dagster as dg

from orchestration.defs.dbt.assets import manifest_models, translator
from orchestration.lib.serving.publish import PUBLISHED_SCHEMAS


@functools.cache
def _nodes_by_name() -> dict[str, dict]:
    return {node["name"]: node for node in manifest_models()}


def table_key(model: str) -> dg.AssetKey:
    """The asset key of a dbt model: the translator's key for its manifest node.

    The same call dagster-dbt makes for the dbt assets (``get_asset_key_for_model``
    takes one dbt assets definition; ours are three, one per layer).
    """
    try:
        node = _nodes_by_name()[model]
    except KeyError:
        raise KeyError(f"{model}: no such model in the dbt manifest") from None
    return translator.get_asset_key(node)


def published_keys() -> list[dg.AssetKey]:
    """Keys of every model the serving publication copies: the tables of its schemas."""
    return [
        table_key(node["name"])
        for node in manifest_models()
        if node["schema"] in PUBLISHED_SCHEMAS
        and node["config"].get("materialized") in ("table", "incremental")
    ]
