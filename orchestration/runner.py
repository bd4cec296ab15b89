"""``chokepoint run``: the annual sources, then the monthly refresh, then a report.

Runs go through the Dagster instance under the data folder (DAGSTER_HOME), so every run
started here shows up in the UI with its logs, checks and lineage.
"""

import contextlib
import json
import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.lib.warehouse import connect_read_only
from orchestration.settings import WINDOW_START, Settings
from orchestration.usage import MONTH, UsageError

KEY_TABLES = [
    "raw.customs_monthly_trade",
    "raw.comtrade_annual_flows",
    "raw.gdp_annual",
    "staging.stg_customs__monthly_trade",
    "marts.fct_tech_group_monthly",
    "indicators.ind_group_patterns",
    "indicators.ind_pattern_matrix",
    "indicators.ind_gdp_shares",
]
RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


@dataclass
class RunReport:
    """What one ``chokepoint run`` did, rendered as text and kept as ``last_run.json``."""

    settings: Settings
    window: tuple[str, str]
    stage_seconds: dict[str, float] = field(default_factory=dict)
    checks: dict[str, str] = field(default_factory=dict)  # name -> passed/failed/warned/skipped
    failures: list[str] = field(default_factory=list)
    row_counts: dict[str, int | None] = field(default_factory=dict)
    origins: set[str] = field(default_factory=set)
    generated: dict[str, int] = field(default_factory=dict)
    total_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    unknowns: tuple | None = None  # rows and codes with unknown partner / HS code
    invocation: str = ""  # the chokepoint/invocation tag shared by this run's Dagster runs
    refused: list[tuple[str, str]] = field(default_factory=list)  # (moved file, why)
    run_ids: list[str] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)  # the job of each run, in order
    started_at: str = ""  # UTC, ISO 8601
    files: list = field(default_factory=list)  # accounting.FileAccount of every file read
    decision: list[str] = field(default_factory=list)  # what was launched and why
    nothing_changed: bool = False
    code_versions: dict = field(default_factory=dict, repr=False)  # build asset -> version

    @property
    def ok(self) -> bool:
        """No step broke and no blocking check failed."""
        return not self.failures and "failed" not in self.checks.values()

    def render(self) -> str:
        """The report as the terminal and ``last_run.txt`` show it."""
        return "\n".join(
            [
                *self._head(),
                *self._data_lines(),
                *self._notes(),
                *self._file_lines(),
                *self._row_lines(),
                *self._check_lines(),
                *self._stage_lines(),
            ]
        )

    def _head(self) -> list[str]:
        lines = [
            "",
            "Chokepoint run report",
            "=" * 21,
            f"window:     {self.window[0]} .. {self.window[1]}",
            f"warehouse:  {self.settings.warehouse_path}",
            f"status:     {'OK' if self.ok else 'FAILED'}",
        ]
        if self.run_ids:
            lines.append(
                f"runs:       {', '.join(self.run_ids)} "
                f"(tag chokepoint/invocation={self.invocation})"
            )
        lines += [f"decision:   {line}" for line in self.decision]
        return lines

    def _data_lines(self) -> list[str]:
        if "synthetic" not in self.origins:
            return []
        lines = [
            "data:       SYNTHETIC customs and Comtrade inputs (generated, not real "
            "trade); real: GDP, FX, reference tables"
            + (", Comtrade legacy file" if "real" in self.origins else "")
        ]
        params = self.settings.landing("customs") / "synthetic_parameters.json"
        if params.is_file():
            seed = json.loads(params.read_text(encoding="utf-8")).get("seed")
            lines.append(
                f"generator:  seed {seed}; every group's story and draws in "
                f"{params} (the pattern matrix is the generator's, not a study's)"
            )
        return lines

    def _notes(self) -> list[str]:
        lines = [f"WARNING:    {a.warning()}" for a in self.files if a.warning()]
        lines += [f"note:       {note}" for note in self.notes]
        for path, why in self.refused:
            lines.append(f"refused:    {path}")
            lines.extend(f"            {line}" for line in why.splitlines()[1:6])
        if self.generated:
            lines.append(
                "generated:  " + ", ".join(f"{k} {v} files" for k, v in self.generated.items())
            )
        return lines

    def _file_lines(self) -> list[str]:
        if not self.files:
            return []
        return [
            "",
            "files (rows read = stored + set aside):",
            *(f"  {a.source:<9} {a.line()}" for a in self.files),
        ]

    def _row_lines(self) -> list[str]:
        lines = ["", "rows:"]
        lines += [
            f"  {table:<42} {'-' if count is None else f'{count:,}'}"
            for table, count in self.row_counts.items()
        ]
        if self.unknowns:
            rows_p, codes_p, rows_c, codes_c = self.unknowns
            lines.append(
                f"unknown:    {rows_p:,} customs rows with {codes_p} unknown partner "
                f"codes; {rows_c:,} rows with {codes_c} HS8 codes not in their "
                "year's China Customs code list (kept and flagged)"
            )
        return lines

    def _check_lines(self) -> list[str]:
        counts = defaultdict(int)
        for state in self.checks.values():
            counts[state] += 1
        lines = [
            "",
            "checks:     "
            + ", ".join(f"{counts[s]} {s}" for s in ("passed", "warned", "failed", "skipped")),
        ]
        lines += [
            f"  {state:<8} {name}"
            for name, state in sorted(self.checks.items())
            if state in ("failed", "warned")
        ]
        if counts["skipped"]:
            lines.append(
                f"  {counts['skipped']} checks skipped: their assets were not "
                "materialized because a step upstream failed or was blocked"
            )
        lines.append(f"quality:    {self.settings.quality_dir / 'index.html'}")
        return lines

    def _stage_lines(self) -> list[str]:
        lines = ["", "stages (s):"]
        lines += [f"  {stage:<20} {secs:7.1f}" for stage, secs in self.stage_seconds.items()]
        lines.append(f"  {'total':<20} {self.total_seconds:7.1f}")
        if self.total_seconds and self.checks:
            share = self.stage_seconds.get("checks", 0) / self.total_seconds
            lines.append(f"  checks took {share:.0%} of the run")
        lines += [f"ERROR: {failure}" for failure in self.failures]
        return lines

    def facts(self) -> dict:
        """What ``chokepoint status`` shows of the last run (``last_run.json``)."""
        return {
            "invocation": self.invocation,
            "run_ids": self.run_ids,
            "jobs": self.jobs,
            "started_at": self.started_at,
            "window": list(self.window),
            "outcome": "OK" if self.ok else "FAILED",
            "failures": self.failures,
            "checks": {k: v for k, v in self.checks.items() if v in ("failed", "warned")},
            "warnings": [w for a in self.files if (w := a.warning())],
            "decision": self.decision,
            "nothing_changed": self.nothing_changed,
            "seconds": round(self.total_seconds, 1),
        }


def scan(settings: Settings) -> tuple[list, list[str]]:
    """The landing scan and the months in the data.

    The landing scan (:func:`scan_landing`) and every month in the data: those of the
    landing files and those the load log holds.
    """
    from orchestration.lib.customs.landing import Known, known_from_warehouse, scan_landing

    known = known_from_warehouse(settings.warehouse_path)
    if known is None:
        raise UsageError(
            "--data-dir",
            f"{settings.warehouse_path} is in use by another process (a run?); wait for it to end",
        )
    files = scan_landing(settings.landing("customs"), known or Known.empty())
    months = {m for f in files for m in (f.months or ())}
    months |= {m for ms in known.by_sha.values() for m in ms}
    return files, sorted(months)


def check_window(month_from: str, month_to: str | None) -> None:
    """The window's bounds as the user gave them, before anything runs."""
    if not MONTH.fullmatch(month_from):
        raise UsageError("--from", f"expected YYYY-MM (e.g. 2019-11), got {month_from!r}")
    if month_from < WINDOW_START:
        raise UsageError(
            "--from", f"{month_from} is before the analysis window, which starts in {WINDOW_START}"
        )
    if month_to is not None:
        if not MONTH.fullmatch(month_to):
            raise UsageError("--to", f"expected YYYY-MM (e.g. 2019-12), got {month_to!r}")
        if month_to < month_from:
            raise UsageError("--to", f"{month_to} is before --from {month_from}")


def window_end(
    settings: Settings, month_from: str, month_to: str | None, months: list[str] | None = None
) -> str:
    """The window's last month.

    The window's last month (default: the latest month in the data); a window that
    holds no month of customs data is refused, naming the bound that empties it.
    """
    months = scan(settings)[1] if months is None else months
    if not months:
        if month_to is None:
            raise UsageError(
                "--to",
                "no customs month is loaded or waiting in "
                f"{settings.landing('customs')}: give --to YYYY-MM",
            )
        return month_to
    held = f"the data holds {months[0]} .. {months[-1]}"
    if month_to is None:
        if month_from > months[-1]:
            raise UsageError(
                "--from", f"{month_from} is after the latest month in the data ({held})"
            )
        return months[-1]
    if not any(month_from <= m <= month_to for m in months):
        which = "--from" if month_from > months[-1] else "--to"
        raise UsageError(
            which, f"the window {month_from} .. {month_to} holds no month of customs data ({held})"
        )
    return month_to


def _stage_of(step_key: str) -> str:
    """The report's stage of a step."""
    if step_key.startswith("dbt_"):
        return step_key.replace("dbt_", "dbt ")
    if "ge_" in step_key or "check" in step_key:
        return "checks"
    if step_key.startswith(("raw__", "raw_ref", "reference")):
        return "ingest"
    if step_key.startswith("serving"):
        return "publish"
    if step_key.startswith("report"):
        return "charts"
    return "other"


def _collect(events, report: RunReport) -> None:
    from dagster import DagsterEventType

    for event in events:
        if event.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            data = event.event_specific_data
            duration = getattr(data, "duration_ms", None) or 0
            stage = _stage_of(event.step_key or "")
            report.stage_seconds[stage] = report.stage_seconds.get(stage, 0) + duration / 1000
        if event.event_type == DagsterEventType.STEP_FAILURE:
            err = event.event_specific_data.error
            while err.cause is not None:  # the user's error, not Dagster's wrapper
                err = err.cause
            report.failures.append(f"step {event.step_key}: {err.message.strip()}")
        if (
            event.event_type == DagsterEventType.ENGINE_EVENT
            and getattr(event.event_specific_data, "error", None) is not None
        ):
            # the run worker could not start the job (import error, lost process)
            report.failures.append(
                f"run {event.job_name}: {event.message}: "
                f"{event.event_specific_data.error.message.strip()}"
            )
        if event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            ev = event.event_specific_data
            name = f"{ev.asset_key.to_user_string()}:{ev.check_name}"
            if ev.passed:
                report.checks[name] = "passed"
            else:
                report.checks[name] = "failed" if ev.severity.value == "ERROR" else "warned"


@contextlib.contextmanager
def _worker_output_to(log_path: Path):
    """Send the code server's and run workers' output to a log file.

    Send the output of the code server and run workers (Dagster's debug stream) to a
    log file: they inherit this process's file descriptors. Progress lines go to the
    terminal through a duplicate of the original stderr.
    """
    import sys

    log_path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with log_path.open("ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        terminal = os.fdopen(os.dup(saved[1]), "w", buffering=1)
        try:
            yield terminal
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
            terminal.close()


def run_pipeline(
    settings: Settings,
    month_from: str = WINDOW_START,
    month_to: str | None = None,
    synthetic: bool = True,
    include_annual: bool = True,
    force: bool = False,
) -> RunReport:
    """Run the pipeline for a window as the decision says.

    Decide what changed (``orchestration.defs.schedules.decide``, the schedule's and the
    sensor's rule), launch what it asks for as runs of the instance (one invocation tag),
    follow each to its end, then write the report.
    """
    started = time.monotonic()
    from orchestration.defs.dbt.project import ensure_manifest
    from orchestration.synthetic import ensure_bundled_inputs

    check_window(month_from, month_to)
    generated = ensure_bundled_inputs(settings) if synthetic else {}
    files, months = scan(settings)
    month_to = window_end(settings, month_from, month_to, months)
    report = RunReport(
        settings=settings,
        window=(month_from, month_to),
        generated={k: len(v) for k, v in generated.items()},
        started_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    ensure_manifest()  # set-up work: importing the definitions never parses
    settings.ensure_dirs()  # the warehouse's folder too, when a caller removed it

    import dagster as dg

    from orchestration.launch import launcher
    from orchestration.progress import Progress

    instance = dg.DagsterInstance.get()
    planned: set[str] = set()
    log_path = settings.reports_dir / "runs.log"
    try:
        # decided in this process, from the same definitions the code server loads: a run
        # with nothing new starts no code server at all
        decision = _decide(instance, settings, files, report, include_annual, force)
        report.stage_seconds["decide"] = time.monotonic() - started
        if not decision.nothing:
            code_server = time.monotonic()
            with _worker_output_to(log_path) as terminal, launcher(instance) as runs:
                report.invocation = runs.invocation
                report.stage_seconds["start code server"] = time.monotonic() - code_server
                _launch(runs, decision, report, planned, Progress(terminal))
    finally:
        _finish(report, planned, started, log_path)
    return report


def _decide(
    instance, settings: Settings, files: list, report: RunReport, include_annual: bool, force: bool
):
    """The decision for the window, with its reasons in the report."""
    from orchestration.definitions import defs
    from orchestration.defs.schedules.decide import build_code_versions, decide

    first, last = report.window
    years = [str(y) for y in range(int(first[:4]), int(last[:4]) + 1)] if include_annual else []
    report.code_versions = build_code_versions(defs.get_repository_def().asset_graph)
    decision = decide(
        instance,
        settings,
        files,
        report.code_versions,
        window=report.window,
        years=years,
        force=force,
    )
    report.decision.extend(["forced by --force"] if force else decision.reasons)
    if decision.nothing:
        report.nothing_changed = True
        report.decision.append(
            "nothing changed since the last run: no input file, no "
            "code, no build asset is newer; no run launched, no dbt "
            "build (--force rebuilds)"
        )
    elif decision.build:
        report.decision.append(
            "dbt docs "
            + (
                "rebuilt: dbt models changed"
                if decision.docs
                else "current (no dbt model changed): not rebuilt"
            )
        )
    return decision


def _launch(runs, decision, report: RunReport, planned: set[str], progress) -> None:
    """Launch the decided runs.

    Launch the decided runs: the annual sources when they changed, then one refresh
    run (customs months, side inputs and build) or, with no input to load, the build.
    """
    from orchestration.defs.schedules.decide import selection

    side = decision.tags()

    def launch(job: str, tags: dict[str, str], keys=None) -> bool:
        planned.update(runs.planned_checks(job, keys))
        done = runs.wait(runs.submit(job, tags, asset_selection=keys), on_event=progress)
        report.run_ids.append(done.run_id)
        report.jobs.append(job)
        _collect(done.events, report)
        if not done.success and not report.failures:
            report.failures.append(f"run {done.run_id} of {job}: {done.status.value}")
        return done.success

    keys = selection(decision, report.code_versions)
    if decision.annual and not launch(
        "annual_sources",
        {RANGE_START: report.window[0][:4], RANGE_END: report.window[1][:4], **side},
    ):
        # what the refresh would have materialized is blocked: its checks are skipped
        planned.update(runs.planned_checks("monthly_refresh", keys))
        return
    if decision.months or decision.side_inputs:
        tags = decision.range_tags() if decision.months else {}
        launch("monthly_refresh", {**tags, **side}, keys)
    elif decision.build:
        launch("build", side, keys)


def _finish(report: RunReport, planned: set[str], started: float, log_path: Path) -> None:
    """Skipped checks, row counts, the quality report, refused files; then write."""
    settings = report.settings
    for name in planned - set(report.checks):
        report.checks[name] = "skipped"
    _row_counts(settings.warehouse_path, report)
    if report.run_ids:
        from orchestration.lib.quality.html_report import build_quality_report

        build_quality_report(settings.quality_dir)
        report.notes.append(f"Dagster's log of these runs: {log_path}")
    report.total_seconds = time.monotonic() - started
    _refused_now(settings, report, since=time.time() - (time.monotonic() - started))
    _write(report)


def _refused_now(settings: Settings, report: RunReport, since: float) -> None:
    """Files this invocation moved to a landing folder's _refused/."""
    from orchestration.lib.refused import refused_files

    for source in ("customs", "comtrade"):
        for path, why in refused_files(settings.landing(source)):
            if path.with_name(path.name + ".why.txt").stat().st_mtime >= since:
                report.refused.append((str(path), why))


def _row_counts(warehouse: Path, report: RunReport) -> None:
    if not warehouse.exists():
        return
    con = connect_read_only(warehouse)
    try:
        for table in KEY_TABLES:
            try:
                report.row_counts[table] = con.execute(f"SELECT count(*) FROM {table}").fetchall()[
                    0
                ][0]
            except duckdb.Error:
                report.row_counts[table] = None
        with contextlib.suppress(duckdb.Error):
            report.unknowns = con.execute(
                "SELECT count(*) FILTER (WHERE is_unknown_partner), "
                "count(DISTINCT partner_code) FILTER (WHERE is_unknown_partner), "
                "count(*) FILTER (WHERE is_unknown_code), "
                "count(DISTINCT hs8) FILTER (WHERE is_unknown_code) "
                "FROM staging.stg_customs__monthly_trade"
            ).fetchall()[0]
        with contextlib.suppress(duckdb.Error):
            from orchestration.lib import accounting

            report.files = accounting.of_runs(con, report.run_ids)
        with contextlib.suppress(duckdb.Error):
            report.notes.extend(_mirror_notes(con))
        for table in ("raw.customs_monthly_trade", "raw.comtrade_annual_flows"):
            with contextlib.suppress(duckdb.Error):
                report.origins |= {
                    r[0] for r in con.execute(f"SELECT DISTINCT origin FROM {table}").fetchall()
                }
    finally:
        con.close()


def _mirror_notes(con) -> list[str]:
    """What the mirror fill estimated, per year.

    What the mirror fill estimated, per year: the run report says the world export
    shares it publishes beside the reported ones rest partly on partners' imports.
    """
    rows = con.execute(
        "SELECT trade_year, fill_reason, count(DISTINCT reporter_code), "
        "string_agg(DISTINCT coalesce(reporter_iso3, CAST(reporter_code AS VARCHAR)), ', ' "
        "ORDER BY coalesce(reporter_iso3, CAST(reporter_code AS VARCHAR))), count(*), "
        "sum(value_usd) FROM intermediate.int_comtrade__mirror_exports "
        "GROUP BY 1, 2 ORDER BY 1, 2"
    ).fetchall()
    notes = []
    for year, reason, n, names, codes, value in rows:
        shown = names.split(", ")
        listed = ", ".join(shown[:8]) + (", ..." if len(shown) > 8 else "")
        notes.append(
            f"mirror fill {year}: {n} reporters ({listed}), {reason}: {codes} "
            f"code values, USD {value / 1e9:,.1f} bn estimated from partners' "
            "imports (is_mirror)"
        )
    return notes


def _write(report: RunReport) -> None:
    """``last_run.txt`` (the report) and ``last_run.json`` beside it (read by status)."""
    from orchestration.lib.atomic import write_text

    path = report.settings.reports_dir / "last_run.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, report.render() + "\n")
    write_text(path.with_suffix(".json"), json.dumps(report.facts(), indent=1) + "\n")
