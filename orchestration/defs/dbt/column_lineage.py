"""Column schema and column-level lineage of each built dbt model, for its asset page.

dagster-dbt's ``fetch_column_metadata()`` asks the dbt adapter for the columns while the
dbt process still holds DuckDB's single write lock, so it cannot run here. The same
facts come from the read-only connection opened once dbt has ended: the columns of the
model and of its parents from the warehouse, the lineage from dagster-dbt's own sqlglot
walk over the compiled SQL of this run. The run's ``manifest.json`` is read, not the
parse-time one, because only it names the tables in the warehouse's catalog, as the
compiled SQL does.
"""

import functools
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

logger = logging.getLogger(__name__)


@functools.cache
def _run_manifest(target_path: Path) -> dict:
    return json.loads((target_path / "manifest.json").read_text(encoding="utf-8"))


def _columns(
    con: duckdb.DuckDBPyConnection, relation: str, described: dict | None = None
) -> dict[str, dict[str, str]]:
    """A relation's columns.

    A relation's columns; ``described`` keeps them for the other models of one build,
    which share most parents.
    """
    if described is not None and relation in described:
        return described[relation]
    try:
        rows = con.execute(f"DESCRIBE {relation}").fetchall()
    except duckdb.Error:
        rows = []
    columns = {name: {"data_type": kind} for name, kind, *_ in rows}
    if described is not None:
        described[relation] = columns
    return columns


def column_schema(node: Mapping[str, Any], columns: dict) -> dg.TableSchema:
    """The model's columns as built, with the descriptions its yml gives them."""
    documented = {
        k.lower(): v.get("description") or None for k, v in (node.get("columns") or {}).items()
    }
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name, meta["data_type"], description=documented.get(name.lower()))
            for name, meta in columns.items()
        ]
    )


def column_metadata(
    con: duckdb.DuckDBPyConnection,
    target_path: Path | None,
    unique_id: str,
    translator,
    described: dict | None = None,
) -> dict[str, Any]:
    """Column schema and lineage of one model.

    ``dagster/column_schema`` and ``dagster/column_lineage`` of one model, or nothing
    when the run left no manifest (a failed parse) or the model is not a table or view.
    """
    from dagster_dbt.core.dbt_cli_event import (
        EventHistoryMetadata,
        _build_column_lineage_metadata,
    )

    if target_path is None or not (target_path / "manifest.json").exists():
        return {}
    manifest = _run_manifest(target_path)
    node = manifest["nodes"].get(unique_id)
    if node is None or node["resource_type"] not in ("model", "seed", "snapshot"):
        return {}
    columns = _columns(con, node["relation_name"], described)
    if not columns:
        return {}
    facts: dict[str, Any] = {"dagster/column_schema": column_schema(node, columns)}
    if node["resource_type"] != "model":
        return facts
    parents = {}
    for parent_id in node["depends_on"]["nodes"]:
        parent = manifest["nodes"].get(parent_id) or manifest["sources"].get(parent_id)
        if parent and parent.get("relation_name"):
            parents[parent["relation_name"]] = _columns(con, parent["relation_name"], described)
    try:
        facts.update(
            _build_column_lineage_metadata(
                event_history_metadata=EventHistoryMetadata(columns=columns, parents=parents),
                dbt_resource_props=node,
                manifest=manifest,
                dagster_dbt_translator=translator,
                target_path=target_path,
                project=None,
            )
        )
    except Exception as error:  # noqa: BLE001 - sqlglot may not parse every model
        # lineage is a help for the reader, never a reason for a build to fail
        logger.warning("no column lineage for %s: %s", unique_id, error)
    return facts
