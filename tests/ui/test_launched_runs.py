"""Runs launched the way the schedule, the sensor and the Materialize button launch them:
through the webserver's GraphQL API, executed by the instance's run launcher in a run
worker process (not in the test's process), on a loaded warehouse."""

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from tests.ui.client import graphql
from tests.ui.client import webserver as start_webserver

LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message stack }
    ... on InvalidSubsetError { message }
    ... on RunConfigValidationInvalid { errors { message } }
  }
}
"""
STATUS = '{ runOrError(runId: "%s") { ... on Run { status } } }'
RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


@pytest.fixture(scope="module")
def launched(tmp_path_factory):
    """A data folder of its own, loaded by ``chokepoint run`` (itself launched runs), and a
    webserver over it: the state a user has after the Quickstart."""
    from orchestration.runner import run_pipeline
    from orchestration.settings import Settings, apply_to_environment

    data_dir = tmp_path_factory.mktemp("launched")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CHOKEPOINT_DATA_DIR", str(data_dir))
        settings = Settings.from_env()
        apply_to_environment(settings)  # DAGSTER_HOME into this folder, for this module
        report = run_pipeline(settings, month_from="2019-01", month_to="2019-12")
        assert report.ok, report.render()
        assert not [n for n, state in report.checks.items() if state != "passed"], report.render()
        with start_webserver(data_dir) as port:
            yield port, report
    from tests.conftest import restore_session_environment

    restore_session_environment()


@pytest.fixture(scope="module")
def webserver(launched):
    return launched[0]


def test_cli_runs_are_launched_runs_of_the_code_location(launched):
    """``chokepoint run`` submitted its runs to the instance: they carry the code
    location's origin (so the job pages and the timeline list them) and one invocation
    tag."""
    _, report = launched
    instance = dg.DagsterInstance.get()
    runs = [instance.get_run_by_id(run_id) for run_id in report.run_ids]
    # one refresh run after the annual sources: customs months, side inputs and the build
    assert [r.job_name for r in runs] == ["annual_sources", "monthly_refresh"]
    assert all(r.remote_job_origin is not None for r in runs)
    assert all(r.remote_job_origin.location_name == "chokepoint" for r in runs)
    assert {r.tags["chokepoint/invocation"] for r in runs} == {report.invocation}
    assert all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs)


def _launch(port: int, job: str, tags: dict[str, str]) -> str:
    params = {
        "selector": {
            "repositoryLocationName": "chokepoint",
            "repositoryName": "__repository__",
            "jobName": job,
        },
        "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in tags.items()]},
        "runConfigData": {},
    }
    result = graphql(port, LAUNCH, {"params": params})["data"]["launchRun"]
    assert result["__typename"] == "LaunchRunSuccess", result
    return result["run"]["runId"]


def _wait(port: int, run_id: str, timeout: float = 900) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = graphql(port, STATUS % run_id)["data"]["runOrError"]["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            return status
        time.sleep(2)
    raise AssertionError(f"run {run_id} still {status} after {timeout} s")


def _evaluated_checks(run_id: str) -> dict[str, bool]:
    instance = dg.DagsterInstance.get()
    evaluations = [
        e.dagster_event.event_specific_data
        for e in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    ]
    return {f"{d.asset_key.to_user_string()}:{d.check_name}": d.passed for d in evaluations}


def _job_checks(job: str) -> set[str]:
    from orchestration.definitions import defs

    graph = defs.resolve_job_def(job).asset_layer.asset_graph
    return {f"{k.asset_key.to_user_string()}:{k.name}" for k in graph.asset_check_keys}


def _failure_text(run_id: str) -> str:
    instance = dg.DagsterInstance.get()
    return "\n".join(
        str(e.dagster_event.event_specific_data.error)[:2000]
        for e in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
    )


def test_annual_sources_launched_from_the_webserver_succeed(webserver):
    run_id = _launch(webserver, "annual_sources", {RANGE_START: "2019", RANGE_END: "2019"})
    status = _wait(webserver, run_id)
    assert status == "SUCCESS", _failure_text(run_id)
    evaluated = _evaluated_checks(run_id)
    assert set(evaluated) == _job_checks("annual_sources")
    assert all(evaluated.values()), evaluated


def test_a_monthly_schedule_tick_launched_from_the_webserver_succeeds(webserver):
    """The schedule's own tick for 20 December 2019 (Shanghai time) asks for the newest
    month and the two it may revise; launched as the daemon would, every check runs."""
    from orchestration.defs.schedules.schedules import monthly_refresh_schedule

    tick = datetime(2019, 12, 20, 6, tzinfo=ZoneInfo("Asia/Shanghai"))
    # The schedule refreshes only months whose files changed since their last
    # materialization: judged against an instance that has none, every month of its window
    # is new, as on the first tick of a fresh deployment.
    with dg.instance_for_test() as fresh:
        context = dg.build_schedule_context(instance=fresh, scheduled_execution_time=tick)
        [request] = monthly_refresh_schedule.evaluate_tick(context).run_requests
    assert (request.tags[RANGE_START], request.tags[RANGE_END]) == ("2019-09-01", "2019-11-01")
    run_id = _launch(webserver, "monthly_refresh", dict(request.tags))
    status = _wait(webserver, run_id)
    assert status == "SUCCESS", _failure_text(run_id)
    evaluated = _evaluated_checks(run_id)
    assert set(evaluated) == _job_checks("monthly_refresh")
    failed = {name for name, passed in evaluated.items() if not passed}
    assert not failed, failed
