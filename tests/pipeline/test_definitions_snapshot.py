"""The code location's shape, against a reviewed snapshot: asset keys and their groups,
checks (blocking or not), jobs with their selections, schedules and sensors.

A rename, a lost check or a job that quietly selects more shows up as a diff in review.
After an intended change: UPDATE_SNAPSHOTS=1 pytest tests/pipeline/test_definitions_snapshot.py
"""

import json
import os
from pathlib import Path

SNAPSHOT = Path(__file__).resolve().parents[1] / "snapshots" / "definitions.json"


def _shape() -> dict:
    from orchestration.definitions import defs

    repo = defs.get_repository_def()
    graph = repo.asset_graph
    assets = {
        key.to_user_string(): graph.get(key).group_name
        for key in sorted(graph.get_all_asset_keys())
    }
    checks = {}
    for key in sorted(graph.asset_check_keys, key=lambda k: (k.asset_key.to_user_string(), k.name)):
        spec = graph.get_check_spec(key)
        checks[f"{key.asset_key.to_user_string()}:{key.name}"] = (
            "blocking" if spec.blocking else "warn"
        )
    jobs = {}
    for name in sorted(repo.job_names):
        if name.startswith("__"):
            continue
        job = repo.get_job(name)
        selected = job.asset_layer.selected_asset_keys if job.asset_layer else set()
        jobs[name] = sorted(k.to_user_string() for k in selected)
    schedules = {
        s.name: {"cron": s.cron_schedule, "timezone": s.execution_timezone, "job": s.job_name}
        for s in repo.schedule_defs
    }
    sensors = sorted(s.name for s in repo.sensor_defs)
    return {
        "assets": assets,
        "checks": checks,
        "jobs": jobs,
        "schedules": schedules,
        "sensors": sensors,
    }


def test_definitions_match_the_reviewed_snapshot():
    shape = _shape()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(shape, indent=1, sort_keys=True) + "\n")
    expected = json.loads(SNAPSHOT.read_text())
    for part in ("assets", "checks", "jobs", "schedules", "sensors"):
        assert shape[part] == expected[part], (
            f"{part} changed; if intended, rerun with UPDATE_SNAPSHOTS=1 and review the diff "
            f"of {SNAPSHOT.name}"
        )
