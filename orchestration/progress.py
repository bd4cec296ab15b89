"""Terse progress lines for ``chokepoint run``.

Terse progress lines for ``chokepoint run``, read from a launched run's event log: one
line per finished step and per materialized asset (with its rows), instead of Dagster's
debug stream (which stays in the run's log in the UI).
"""

import sys

from dagster._core.events import DagsterEvent


class Progress:
    """Prints what a user follows: assets materialized, checks that did not pass, steps."""

    def __init__(self, stream=None) -> None:
        """Print to ``stream`` (default: stderr)."""
        self.stream = stream or sys.stderr
        self._shown: set[tuple] = set()

    def __call__(self, event: DagsterEvent) -> None:
        """Print the event's line, if it has one."""
        line = self.describe(event)
        if line:
            print(line, file=self.stream, flush=True)

    def describe(self, event: DagsterEvent) -> str | None:
        """The line of one event, or None for an event the user need not follow."""
        kind = event.event_type_value
        if kind == "ASSET_MATERIALIZATION":
            mat = event.event_specific_data.materialization
            key = (event.step_key, mat.asset_key)
            if key in self._shown:  # a range run reports every partition: say it once
                return None
            self._shown.add(key)
            rows = mat.metadata.get("dagster/row_count")
            count = f" ({rows.value:,} rows)" if rows is not None and not mat.partition else ""
            span = " (partitions of this run)" if mat.partition else ""
            return f"  materialized {mat.asset_key.to_user_string()}{span}{count}"
        if kind == "ASSET_CHECK_EVALUATION":
            ev = event.event_specific_data
            if ev.passed:
                return None
            state = "FAILED" if ev.severity.value == "ERROR" else "warning"
            return f"  check {ev.check_name} on {ev.asset_key.to_user_string()}: {state}"
        if kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            seconds = getattr(event.event_specific_data, "duration_ms", 0) or 0
            mark = "done" if kind == "STEP_SUCCESS" else "FAILED"
            return f"  {mark:<6} {event.step_key} ({seconds / 1000:.1f} s)"
        if kind == "RUN_START":
            return f"run {event.job_name} started"
        return None
