"""``chokepoint status``: what was last materialized, when, from which vintage, and which
checks failed, read from the Dagster instance and the warehouse."""

import duckdb

from orchestration.settings import Settings


def render_status(settings: Settings) -> str:
    import dagster as dg

    instance = dg.DagsterInstance.get()
    lines = [f"data folder: {settings.data_dir}", f"warehouse:   {settings.warehouse_path}", ""]
    keys = sorted(instance.get_asset_keys(), key=lambda k: k.to_user_string())
    lines.append(f"{'asset':<48} {'last materialized (UTC)':<26} rows")
    for key in keys:
        event = instance.get_latest_materialization_event(key)
        if event is None:
            continue
        meta = event.asset_materialization.metadata if event.asset_materialization else {}
        rows = meta.get("dagster/row_count")
        when = f"{event.timestamp:.0f}"
        from datetime import UTC, datetime

        when = datetime.fromtimestamp(event.timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S")
        lines.append(f"{key.to_user_string():<48} {when:<26} "
                     f"{getattr(rows, 'value', '') if rows is not None else ''}")
    if settings.warehouse_path.exists():
        con = duckdb.connect(str(settings.warehouse_path), read_only=True)
        try:
            lines.append("")
            lines.append("customs vintages (newest files):")
            for name, flow, months, loaded in con.execute(
                "SELECT file_name, flow, months, loaded_at FROM raw.customs_load_log "
                "ORDER BY loaded_at DESC LIMIT 5"
            ).fetchall():
                lines.append(f"  {loaded:%Y-%m-%d %H:%M} {flow:<7} {months[0]}..{months[-1]} "
                             f"{name}")
        except duckdb.Error:
            pass
        finally:
            con.close()
    last = settings.reports_dir / "last_run.txt"
    if last.exists():
        failed = [ln for ln in last.read_text().splitlines() if ln.strip().startswith(
            ("failed", "warned", "skipped", "ERROR"))]
        lines.append("")
        lines.append("last run: " + ("all checks passed" if not failed else ""))
        lines.extend(failed)
    return "\n".join(lines)
