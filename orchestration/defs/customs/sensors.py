"""Launch customs ingestion when files in landing/customs are new or changed."""

import json

import dagster as dg
import duckdb

from orchestration.defs.customs.assets import landing_files
from orchestration.defs.customs.parsing import CustomsFileError, parse_customs_file
from orchestration.defs.schedules.jobs import monthly_refresh_job
from orchestration.defs.schedules.schedules import RANGE_END, RANGE_START
from orchestration.settings import Settings


def _signature(path) -> list:
    stat = path.stat()
    return [stat.st_mtime_ns, stat.st_size]


@dg.sensor(job=monthly_refresh_job, minimum_interval_seconds=60,
           default_status=dg.DefaultSensorStatus.STOPPED)
def customs_landing_sensor(context: dg.SensorEvaluationContext):
    """New or changed files trigger a run over the months they contain; a file that
    cannot be read triggers a run too, so its refusal (file, line, field) is visible."""
    landing = Settings.from_env().landing("customs")
    seen = json.loads(context.cursor) if context.cursor else {}
    current = {p.name: _signature(p) for p in landing_files(landing)} if landing.exists() else {}
    changed = [name for name, sig in current.items() if seen.get(name) != sig]
    if not changed:
        return dg.SkipReason(f"no new or changed files in {landing}")
    months: set[str] = set()
    con = duckdb.connect()
    try:
        for i, name in enumerate(changed):
            try:
                parsed = parse_customs_file(con, landing / name, table=f"probe_{i}")
                months.update(parsed.months)
            except CustomsFileError as err:
                context.log.warning(str(err))
    finally:
        con.close()
    context.update_cursor(json.dumps(current))
    if not months:
        return dg.SkipReason(f"changed files hold no readable months: {changed}")
    first, last = min(months), max(months)
    return dg.RunRequest(
        run_key=f"customs_{json.dumps(sorted((n, current[n]) for n in changed))}",
        tags={RANGE_START: f"{first}-01", RANGE_END: f"{last}-01"},
    )
