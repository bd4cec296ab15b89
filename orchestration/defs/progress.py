"""A terse progress logger for ``chokepoint run``: one line per finished step and per
materialized asset (with its rows), instead of Dagster's debug stream."""

import logging
import sys

import dagster as dg
from dagster._core.log_manager import get_log_record_metadata, has_log_record_metadata


class _ProgressHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self._shown: set[tuple] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if not has_log_record_metadata(record):
            return
        event = get_log_record_metadata(record).get("dagster_event")
        if event is None:
            if record.levelno >= logging.ERROR:
                print(f"  ! {record.getMessage()[:300]}", file=sys.stderr, flush=True)
            return
        kind = event.event_type_value
        if kind == "ASSET_MATERIALIZATION":
            mat = event.event_specific_data.materialization
            rows = mat.metadata.get("dagster/row_count")
            count = f" ({rows.value:,} rows)" if rows is not None else ""
            key = (event.step_key, mat.asset_key)
            if key in self._shown:  # a range run reports every partition: say it once
                return
            self._shown.add(key)
            span = " (partitions of this run)" if mat.partition else ""
            print(f"  materialized {mat.asset_key.to_user_string()}{span}{count}",
                  file=sys.stderr, flush=True)
        elif kind == "ASSET_CHECK_EVALUATION":
            ev = event.event_specific_data
            if not ev.passed:
                print(f"  check {ev.check_name} on {ev.asset_key.to_user_string()}: "
                      f"{'FAILED' if ev.severity.value == 'ERROR' else 'warning'}",
                      file=sys.stderr, flush=True)
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            seconds = getattr(event.event_specific_data, "duration_ms", 0) or 0
            mark = "done" if kind == "STEP_SUCCESS" else "FAILED"
            print(f"  {mark:<6} {event.step_key} ({seconds / 1000:.1f} s)",
                  file=sys.stderr, flush=True)


@dg.logger(description="One line per step and per materialized asset.")
def progress_logger(_init_context) -> logging.Logger:
    log = logging.getLogger("chokepoint.progress")
    log.setLevel(logging.DEBUG)
    if not log.handlers:
        log.addHandler(_ProgressHandler())
    log.propagate = False
    return log


PROGRESS_RUN_CONFIG = {"loggers": {"progress": {}}}
