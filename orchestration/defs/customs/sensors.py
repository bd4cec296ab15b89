"""Launch the monthly refresh when files with new content arrive in landing/customs."""

import json

import dagster as dg

from orchestration.defs.schedules.decide import (
    SIDE_INPUTS_TAG,
    context_code_versions,
    decide,
    selection,
)
from orchestration.defs.schedules.jobs import monthly_refresh_job
from orchestration.lib.customs.landing import (
    Known,
    LandingFile,
    known_from_warehouse,
    month_versions,
    scan_landing,
)
from orchestration.settings import Settings


def _known(settings: Settings, cursor: dict) -> Known | None:
    """What the scan may reuse.

    The load log's knowledge of the files, plus what earlier ticks learnt (so a file is
    parsed once, and a touched file of unchanged content is not re-read).
    """
    known = known_from_warehouse(settings.warehouse_path)
    if known is None:
        return None
    by_sig = {**known.by_signature,
              **{sig: (sha, tuple(months)) for sig, (sha, months) in
                 cursor.get("files", {}).items()}}
    by_sha = {**known.by_sha, **{sha: months for sha, months in by_sig.values()}}
    return Known(by_sig, by_sha)


def _cursor(files: list[LandingFile], requested: dict[str, str]) -> str:
    return json.dumps({"files": {f.signature: [f.sha256, list(f.months)]
                                 for f in files if f.months is not None},
                       "requested": requested})


@dg.sensor(job=monthly_refresh_job, minimum_interval_seconds=60,
           default_status=dg.DefaultSensorStatus.STOPPED)
def customs_landing_sensor(context: dg.SensorEvaluationContext):
    """A run over the months whose landing files changed.

    A run over the months whose landing files changed, decided by
    :func:`orchestration.defs.schedules.decide.decide` as ``chokepoint run`` decides it.
    A month already requested at its current version is not requested again; a file
    that cannot be read is logged (its refusal comes with the next run).
    """
    settings = Settings.from_env()
    cursor = json.loads(context.cursor) if context.cursor else {}
    known = _known(settings, cursor)
    if known is None:
        return dg.SkipReason("the warehouse is busy with a run; looking again next tick")
    files = scan_landing(settings.landing("customs"), known)
    for file in files:
        if file.error:
            context.log.warning(file.error)
    code_versions = context_code_versions(context)
    decision = decide(context.instance, settings, files, code_versions)
    requested = dict(cursor.get("requested", {}))
    versions = month_versions(files)
    decision.months = [m for m in decision.months if requested.get(m) != versions[m]]
    context.update_cursor(_cursor(files, {**requested, **{m: versions[m]
                                                          for m in decision.months}}))
    if not decision.months:
        return dg.SkipReason("no customs month with new or changed files in "
                             f"{settings.landing('customs')}")
    return dg.RunRequest(
        run_key="customs_" + "_".join(f"{m}:{versions[m][:8]}" for m in decision.months),
        tags={**decision.range_tags(), SIDE_INPUTS_TAG: decision.side_version},
        asset_selection=selection(decision, code_versions) if code_versions else None,
    )
