"""Runs submitted to the Dagster instance, exactly as the UI, the schedule and the sensor do.

``chokepoint run`` does not execute jobs in its own process: it loads the workspace
(``workspace.yaml``, one code server), creates each run from the code location's job,
submits it to the instance's run coordinator and launcher, and follows its event log
until it ends. So a run from the command line is the same kind of run as one started
from the UI: it has the code location's origin (it shows on the job pages and the
overview timeline), it runs in a run worker process like a scheduled run, and every run
of one invocation carries the same ``chokepoint/invocation`` tag.
"""

import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import dagster as dg
from dagster._core.events import DagsterEvent
from dagster._core.storage.dagster_run import DagsterRunStatus
from dagster._core.workspace.context import WorkspaceProcessContext, WorkspaceRequestContext
from dagster._core.workspace.load_target import WorkspaceFileTarget

from orchestration.settings import REPO_ROOT

INVOCATION_TAG = "chokepoint/invocation"
LAUNCHED_BY_TAG = "chokepoint/launched_by"
FINISHED = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}


@dataclass
class LaunchedRun:
    """A finished run: its id, job, final status and every event of its log."""

    run_id: str
    job_name: str
    status: DagsterRunStatus
    events: list[DagsterEvent]

    @property
    def success(self) -> bool:
        """The run ended in SUCCESS."""
        return self.status == DagsterRunStatus.SUCCESS


class Launcher:
    """Submits runs of the workspace's jobs and waits for them; one per invocation."""

    def __init__(
        self, instance: dg.DagsterInstance, workspace: WorkspaceRequestContext, invocation: str
    ) -> None:
        """The invocation's workspace and its one code location."""
        self.instance = instance
        self.workspace = workspace
        self.invocation = invocation
        location_name = workspace.code_location_names[0]
        self.location = workspace.get_code_location(location_name)
        self.repository = next(iter(self.location.get_repositories().values()))

    def planned_checks(
        self, job_name: str, asset_selection: Iterable[dg.AssetKey] | None = None
    ) -> set[str]:
        """Checks the job would evaluate.

        Checks the job (or its subset of ``asset_selection``) would evaluate, as
        ``asset:check`` names.
        """
        selected = set(asset_selection) if asset_selection is not None else None
        return {
            f"{snap.asset_key.to_user_string()}:{snap.name}"
            for snap in self.repository.get_asset_check_node_snaps(job_name)
            if selected is None or snap.asset_key in selected
        }

    def code_versions(self) -> dict[dg.AssetKey, str | None]:
        """Code version of every asset of the code location, as the code server loaded it."""
        graph = self.repository.asset_graph
        return {key: graph.get(key).code_version for key in graph.get_all_asset_keys()}

    def submit(
        self,
        job_name: str,
        tags: dict[str, str],
        run_config: dict | None = None,
        asset_selection: Iterable[dg.AssetKey] | None = None,
    ) -> str:
        """Create a run of the job (or of its ``asset_selection``) and submit it."""
        from dagster._core.definitions.selector import JobSubsetSelector

        selected = frozenset(asset_selection) if asset_selection is not None else None
        selector = JobSubsetSelector(
            location_name=self.location.name,
            repository_name=self.repository.name,
            job_name=job_name,
            op_selection=None,
            asset_selection=selected,
        )
        remote_job = self.location.get_job(selector)
        run_config = run_config or {}
        plan = self.location.get_execution_plan(
            remote_job,
            run_config,
            step_keys_to_execute=None,
            known_state=None,
            instance=self.instance,
        )
        run = self.instance.create_run(
            job_name=job_name,
            run_id=None,
            run_config=run_config,
            resolved_op_selection=None,
            step_keys_to_execute=None,
            op_selection=None,
            status=None,
            root_run_id=None,
            parent_run_id=None,
            tags={
                **remote_job.tags,
                **tags,
                INVOCATION_TAG: self.invocation,
                LAUNCHED_BY_TAG: "cli",
            },
            job_snapshot=remote_job.job_snapshot,
            execution_plan_snapshot=plan.execution_plan_snapshot,
            parent_job_snapshot=remote_job.parent_job_snapshot,
            remote_job_origin=remote_job.get_remote_origin(),
            job_code_origin=remote_job.get_python_origin(),
            asset_selection=selected,
            asset_check_selection=None,
            asset_graph=self.repository.asset_graph,
        )
        self.instance.submit_run(run.run_id, self.workspace)
        return run.run_id

    def wait(
        self,
        run_id: str,
        on_event: Callable[[DagsterEvent], None] | None = None,
        poll_seconds: float = 0.5,
    ) -> LaunchedRun:
        """Follow the run's event log until the run ends; Ctrl-C terminates the run."""
        events: list[DagsterEvent] = []
        cursor = None
        try:
            while True:
                run = self.instance.get_run_by_id(run_id)
                done = run is not None and run.status in FINISHED
                records = self.instance.get_records_for_run(run_id, cursor=cursor)
                cursor = records.cursor
                for record in records.records:
                    event = record.event_log_entry.dagster_event
                    if event is not None:
                        events.append(event)
                        if on_event:
                            on_event(event)
                if done and not records.has_more:
                    return LaunchedRun(run_id, run.job_name, run.status, events)
                if not records.has_more:
                    time.sleep(poll_seconds)
        except KeyboardInterrupt:
            self.instance.run_launcher.terminate(run_id)
            raise


@contextmanager
def launcher(instance: dg.DagsterInstance) -> Iterator[Launcher]:
    """The workspace of ``workspace.yaml`` (one code server for the invocation)."""
    target = WorkspaceFileTarget(paths=[str(REPO_ROOT / "workspace.yaml")])
    with WorkspaceProcessContext(instance, target, read_only=False) as process_context:
        workspace = process_context.create_request_context()
        errors = [
            f"{name}: {entry.load_error.message}"
            for name, entry in workspace.get_code_location_entries().items()
            if entry.load_error
        ]
        if errors:
            raise SystemExit("the code location failed to load:\n" + "\n".join(errors))
        yield Launcher(instance, workspace, invocation=uuid.uuid4().hex[:12])
