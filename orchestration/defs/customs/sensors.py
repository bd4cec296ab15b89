"""Launch customs ingestion when files with new content arrive in landing/customs."""

import json

import dagster as dg
import duckdb

from orchestration.defs.customs.assets import landing_files
from orchestration.defs.schedules.jobs import monthly_refresh_job
from orchestration.defs.schedules.schedules import RANGE_END, RANGE_START
from orchestration.lib.customs import store
from orchestration.lib.customs.parsing import parse_customs_file
from orchestration.lib.errors import SourceFileError
from orchestration.settings import Settings


def _loaded_hashes(settings: Settings) -> set[str] | None:
    """Content hashes of the files already in the warehouse; None while a run holds the
    warehouse's write lock (the next tick looks again)."""
    if not settings.warehouse_path.exists():
        return set()
    try:
        con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    except duckdb.IOException:
        return None
    try:
        return store.loaded_hashes(con)
    except duckdb.CatalogException:
        return set()
    finally:
        con.close()


def _hashes(landing, cursor: dict) -> dict[str, list]:
    """name -> [size, mtime_ns, sha256]; a file whose size and time are unchanged keeps
    its hash from the cursor, so a tick re-reads only files that were touched."""
    current = {}
    for path in landing_files(landing) if landing.exists() else []:
        stat = path.stat()
        before = cursor.get(path.name)
        if before and before[:2] == [stat.st_size, stat.st_mtime_ns]:
            current[path.name] = before
        else:
            current[path.name] = [stat.st_size, stat.st_mtime_ns, store.file_sha256(path)]
    return current


@dg.sensor(job=monthly_refresh_job, minimum_interval_seconds=60,
           default_status=dg.DefaultSensorStatus.STOPPED)
def customs_landing_sensor(context: dg.SensorEvaluationContext):
    """Files whose content is neither loaded nor already requested trigger a run over the
    months they hold. The first tick starts from what the warehouse has loaded, and a file
    touched without a change of content triggers nothing. A file that cannot be read
    triggers a run too, so its refusal (file, line, field) is visible."""
    settings = Settings.from_env()
    landing = settings.landing("customs")
    cursor = json.loads(context.cursor) if context.cursor else {}
    loaded = _loaded_hashes(settings)
    if loaded is None:
        return dg.SkipReason("the warehouse is busy with a run; looking again next tick")
    files = _hashes(landing, cursor.get("files", {}))
    known = loaded | set(cursor.get("requested", []))
    new = sorted(name for name, (_, _, sha) in files.items() if sha not in known)
    state = {"files": files, "requested": sorted(known | {files[n][2] for n in new})}
    if not new:
        context.update_cursor(json.dumps(state))
        return dg.SkipReason(f"no files with new content in {landing}")
    months: set[str] = set()
    con = duckdb.connect()
    try:
        for i, name in enumerate(new):
            try:
                months.update(parse_customs_file(con, landing / name, table=f"probe_{i}").months)
            except SourceFileError as err:
                context.log.warning(str(err))
    finally:
        con.close()
    context.update_cursor(json.dumps(state))
    if not months:
        return dg.SkipReason(f"new files hold no readable months: {new}")
    return dg.RunRequest(
        run_key="customs_" + "_".join(sorted(files[n][2][:12] for n in new)),
        tags={RANGE_START: f"{min(months)}-01", RANGE_END: f"{max(months)}-01"},
    )
