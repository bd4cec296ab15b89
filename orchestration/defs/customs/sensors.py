"""Launch the monthly refresh when files with new content arrive in landing/customs."""

import json

import dagster as dg

from orchestration.defs.schedules.decide import (
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


def _known(loaded: Known, cursor: dict) -> Known:
    """What the scan may reuse.

    The load log's knowledge of the files, plus what earlier ticks learnt (so a file is
    parsed once, and a touched file of unchanged content is not re-read).
    """
    by_sig = {
        **loaded.by_signature,
        **{sig: (sha, tuple(months)) for sig, (sha, months) in cursor.get("files", {}).items()},
    }
    by_sha = {**loaded.by_sha, **{sha: months for sha, months in by_sig.values()}}
    return Known(by_sig, by_sha)


def _arrived(files: list[LandingFile], loaded: Known) -> set[str]:
    """Months of the files whose content the warehouse has not loaded.

    That is what the sensor watches for (the CLI's window is the user's; the sensor's is
    what arrived).
    """
    return {m for f in files if f.sha256 not in loaded.by_sha for m in f.months or ()}


def _cursor(files: list[LandingFile], requested: dict[str, str]) -> str:
    return json.dumps(
        {
            "files": {
                f.signature: [f.sha256, list(f.months)] for f in files if f.months is not None
            },
            "requested": requested,
        }
    )


@dg.sensor(
    job=monthly_refresh_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
)
def customs_landing_sensor(context: dg.SensorEvaluationContext):
    """A run over the months whose landing files changed.

    Months of newly arrived content only (what the warehouse has not loaded), each
    refreshed when :func:`orchestration.defs.schedules.decide.decide` (the rule of
    ``chokepoint run``) finds its version changed. A month already requested at its
    current version is not requested again; a file that cannot be read is logged (its
    refusal comes with the next run).
    """
    settings = Settings.from_env()
    cursor = json.loads(context.cursor) if context.cursor else {}
    loaded = known_from_warehouse(settings.warehouse_path)
    if loaded is None:
        return dg.SkipReason("the warehouse is busy with a run; looking again next tick")
    files = scan_landing(settings.landing("customs"), _known(loaded, cursor))
    for file in files:
        if file.error:
            context.log.warning(file.error)
    code_versions = context_code_versions(context)
    decision = decide(context.instance, settings, files, code_versions)
    requested = dict(cursor.get("requested", {}))
    versions = month_versions(files)
    arrived = _arrived(files, loaded)
    decision.months = [
        m for m in decision.months if m in arrived and requested.get(m) != versions[m]
    ]
    context.update_cursor(
        _cursor(files, {**requested, **{m: versions[m] for m in decision.months}})
    )
    if not decision.months:
        return dg.SkipReason(
            f"no customs month with new or changed files in {settings.landing('customs')}"
        )
    return dg.RunRequest(
        run_key="customs_" + "_".join(f"{m}:{versions[m][:8]}" for m in decision.months),
        tags={**decision.range_tags(), **decision.tags()},
        asset_selection=selection(decision, code_versions) if code_versions else None,
    )
