"""``chokepoint status``.

``chokepoint status``: the last run (ids, time, window, outcome, errors whole), every
warehouse table grouped by layer with its row count and last materialization, and the
files loaded per source with the account of their rows.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb

from orchestration.lib.warehouse import connect_read_only
from orchestration.settings import Settings

# warehouse schema -> layer, in lineage order; other schemas are listed after these
LAYERS = {
    "raw": "raw",
    "raw_ref": "reference",
    "reference": "reference",
    "staging": "staging",
    "intermediate": "intermediate",
    "marts": "marts",
    "indicators": "indicators",
    "reports": "reports",
    "dbt_test__audit": "dbt test failures (stored)",
}


def _last_materialized() -> dict[str, str]:
    """Table name -> time of the latest materialization of the asset of that name."""
    import dagster as dg

    instance = dg.DagsterInstance.get()
    out: dict[str, str] = {}
    for key in instance.get_asset_keys():
        event = instance.get_latest_materialization_event(key)
        if event is not None:
            out[key.path[-1]] = datetime.fromtimestamp(event.timestamp, UTC).strftime(
                "%Y-%m-%d %H:%M"
            )
    return out


def _last_run(settings: Settings) -> list[str]:
    path = settings.reports_dir / "last_run.json"
    if not path.exists():
        return ["last run:    none recorded (`chokepoint run` writes it)"]
    facts = json.loads(path.read_text())
    lines = [
        f"last run:    {facts['outcome']}, started {facts['started_at']}, window "
        f"{facts['window'][0]} .. {facts['window'][1]}, {facts['seconds']} s",
        f"runs:        {', '.join(facts['run_ids']) or '-'}"
        + (
            f" (tag chokepoint/invocation={facts['invocation']})" if facts.get("invocation") else ""
        ),
    ]
    lines += [f"decision:    {line}" for line in facts.get("decision", [])]
    for name, state in sorted(facts.get("checks", {}).items()):
        lines.append(f"  {state:<8} {name}")
    lines += [f"  WARNING: {w}" for w in facts.get("warnings", [])]
    for failure in facts.get("failures", []):
        first, *rest = failure.splitlines() or [""]
        lines.append(f"  ERROR: {first}")
        lines += [f"    {line}" for line in rest]
    return lines


def _tables(con, when: dict[str, str]) -> list[str]:
    rows = con.execute(
        "SELECT table_schema, table_name, table_type FROM information_schema.tables "
        "WHERE table_catalog = current_database() ORDER BY ALL"
    ).fetchall()
    order = list(dict.fromkeys(LAYERS.values()))
    by_layer: dict[str, list[tuple[str, str, str]]] = {}
    for schema, name, kind in rows:
        layer = LAYERS.get(schema, schema)
        if layer not in order:
            order.append(layer)
        by_layer.setdefault(layer, []).append((schema, name, kind))
    lines = ["tables by layer (rows; last materialized, UTC):"]
    for layer in order:
        if layer not in by_layer:
            continue
        lines.append(f"  {layer}")
        for schema, name, kind in by_layer[layer]:
            try:
                count = con.execute(f'SELECT count(*) FROM "{schema}"."{name}"').fetchone()[0]
                count = f"{count:,}"
            except duckdb.Error as err:
                count = f"unreadable ({str(err).splitlines()[0]})"
            view = " (view)" if kind == "VIEW" else ""
            lines.append(f"    {schema + '.' + name + view:<52} {count:>12}  {when.get(name, '')}")
    return lines


def _files(con) -> list[str]:
    from orchestration.lib import accounting

    try:
        accounts = accounting.latest(con)
    except duckdb.Error:
        return ["files loaded: none recorded"]
    lines = ["files loaded (latest load of each; rows read = stored + set aside):"]
    source = None
    for account in accounts:
        if account.source != source:
            source = account.source
            lines.append(f"  {source}")
        lines.append(f"    {account.line()}")
        if account.warning():
            lines.append(
                f"      WARNING: nothing stored; main reason: "
                f"{accounting.REASONS.get(account.main_reason or '', 'no rows')}"
            )
    return lines


def render_status(settings: Settings) -> str:
    """The text of ``chokepoint status``."""
    lines = [
        f"data folder: {settings.data_dir}",
        f"warehouse:   {settings.warehouse_path}",
        "",
        *_last_run(settings),
        "",
    ]
    if not settings.warehouse_path.exists():
        lines.append("no warehouse yet: run `chokepoint run`")
        return "\n".join(lines)
    when = _last_materialized()
    con = connect_read_only(settings.warehouse_path)
    try:
        lines += _tables(con, when)
        lines.append("")
        lines += _files(con)
    finally:
        con.close()
    return "\n".join(lines)
