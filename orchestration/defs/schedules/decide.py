"""What a run has to do, decided from the Dagster instance.

What a run has to do, decided from the Dagster instance: the one rule of the schedule,
the landing sensor and ``chokepoint run``.

- A customs month is refreshed when the data version :func:`scan_landing` gives it (the
  digest of the hashes of the files holding it) differs from the ``data_version`` on its
  latest materialization, or it was never materialized.
- The annual sources (Comtrade, GDP) and the monthly side inputs (exchange rates,
  reference tables) are reloaded when the version of their files (landing/comtrade and
  the reference folder) differs from the ``chokepoint/side_inputs`` tag of the run that
  last materialized them, or a year of the window was never materialized.
- The build (dbt, charts, publication) runs when an input was materialized after it, an
  asset of it was never materialized, or its code version (dagster-dbt's checksum of a
  model, the catalog's digest of a Python asset) differs from the one its latest
  materialization recorded.
- The build also runs when the analysis settings (CHOKEPOINT_* variables) differ from
  the ``chokepoint/settings`` tag of the runs that last built it.
- The dbt docs are rebuilt only when a dbt model's code version changed, or they were
  never built.

Nothing here writes: the decision reads the instance and the files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import dagster as dg
from dagster import DagsterEventType

from orchestration.defs.comtrade.assets import COMTRADE_KEY
from orchestration.defs.customs.assets import CUSTOMS_KEY, DATA_VERSION_ENTRY
from orchestration.defs.gdp.assets import FX_KEY, GDP_KEY
from orchestration.defs.reference.assets import REFERENCE_KEYS
from orchestration.lib.customs.landing import NO_FILES, LandingFile, month_versions
from orchestration.settings import Settings, get_settings

SIDE_INPUTS_TAG = "chokepoint/side_inputs"
SETTINGS_TAG = "chokepoint/settings"
# CHOKEPOINT_* variables that say where, not what: no reason to rebuild
ANNUAL_KEYS = (COMTRADE_KEY, GDP_KEY)
SIDE_KEYS = (FX_KEY, *REFERENCE_KEYS.values())
INPUT_KEYS = (CUSTOMS_KEY, *ANNUAL_KEYS, *SIDE_KEYS)
DOCS_KEY = dg.AssetKey(["serving", "dbt_docs"])
DBT_SCHEMAS = {"staging", "intermediate", "marts", "indicators", "reports", "reference"}


@dataclass
class Decision:
    """What to materialize; ``reasons`` says why, one line each."""

    months: list[str] = field(default_factory=list)  # customs months to refresh
    annual: bool = False
    side_inputs: bool = False
    build: bool = False
    docs: bool = False
    reasons: list[str] = field(default_factory=list)
    side_version: str = ""
    settings_version: str = ""

    def tags(self) -> dict[str, str]:
        """Tags every run of the decision carries: what it was decided against."""
        return {SIDE_INPUTS_TAG: self.side_version, SETTINGS_TAG: self.settings_version}

    @property
    def nothing(self) -> bool:
        """True when no input changed and the build is current."""
        return not (self.months or self.annual or self.side_inputs or self.build)

    def range_tags(self) -> dict[str, str]:
        """Partition range tags of the customs months to refresh."""
        from orchestration.defs.schedules.schedules import RANGE_END, RANGE_START

        return {RANGE_START: f"{self.months[0]}-01", RANGE_END: f"{self.months[-1]}-01"}


def settings_version() -> str:
    """Digest of the settings that change what the build computes.

    The analysis settings (read by dbt), the quality thresholds and the target, typed and
    with their defaults filled in: a changed threshold or severity rebuilds, as a changed
    model does; setting a variable to its default does not.
    """
    settings = get_settings()
    chosen = [
        settings.analysis.model_dump_json(),
        settings.quality.model_dump_json(),
        settings.runtime.target,
    ]
    return hashlib.sha256(repr(chosen).encode()).hexdigest()[:16]


def side_inputs_version(settings: Settings) -> str:
    """Digest of the files the annual sources and side inputs read.

    Digest of the files the annual sources and side inputs read: landing/comtrade's
    files (not its sub-folders) and the reference folder, by path and content.
    """
    sha = hashlib.sha256()
    comtrade = settings.landing("comtrade")
    roots = [p for p in sorted(comtrade.iterdir()) if p.is_file()] if comtrade.is_dir() else []
    reference = settings.reference_dir
    files = [*roots, *sorted(p for p in reference.rglob("*") if p.is_file())]
    for path in files:
        sha.update(path.name.encode() + b"\0")
        sha.update(hashlib.sha256(path.read_bytes()).digest())
    return sha.hexdigest()[:16]


def partition_versions(instance: dg.DagsterInstance, months: Iterable[str]) -> dict[str, str]:
    """``YYYY-MM -> data_version`` on the latest materialization of each customs month."""
    keys = {f"{m}-01" for m in months}
    latest = instance.get_latest_storage_id_by_partition(
        CUSTOMS_KEY, DagsterEventType.ASSET_MATERIALIZATION, keys
    )
    if not latest:
        return {}
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=CUSTOMS_KEY, storage_ids=list(latest.values())),
        limit=len(latest),
    ).records
    out = {}
    for record in records:
        mat = record.asset_materialization
        entry = mat.metadata.get(DATA_VERSION_ENTRY) if mat else None
        if mat and mat.partition and entry is not None:
            out[mat.partition[:7]] = str(getattr(entry, "value", entry))
    return out


def _warehouse_months(settings: Settings) -> set[str] | None:
    """The customs months the warehouse's load log holds (None while a run holds it)."""
    from orchestration.lib.customs.landing import known_from_warehouse

    known = known_from_warehouse(settings.warehouse_path)
    return None if known is None else {m for ms in known.by_sha.values() for m in ms}


def changed_months(
    instance: dg.DagsterInstance,
    files: list[LandingFile],
    window: tuple[str, str] | None = None,
    loaded: set[str] | None = None,
) -> list[str]:
    """Customs months whose files changed.

    Customs months (in ``window`` when given) whose scanned version differs from the
    version of their latest materialization.
    """
    scanned = month_versions(files)
    months = [m for m in scanned if window is None or window[0] <= m <= window[1]]
    recorded = partition_versions(instance, months)
    changed = [m for m in months if recorded.get(m) != scanned.get(m, NO_FILES)]
    if loaded is None:
        return changed
    # a warehouse removed or replaced behind the instance's back: what it does not hold
    # is not current, whatever the instance last recorded
    return sorted(set(changed) | {m for m in months if m not in loaded and scanned.get(m)})


def _tag_of_latest(instance: dg.DagsterInstance, keys: Iterable[dg.AssetKey]) -> set:
    """The side-inputs tags of the runs that last materialized ``keys`` (None: never)."""
    tags = set()
    for event in instance.get_latest_materialization_events(list(keys)).values():
        run = instance.get_run_by_id(event.run_id) if event else None
        tags.add(run.tags.get(SIDE_INPUTS_TAG) if run else None)
    return tags


def _annual_missing(instance: dg.DagsterInstance, years: Iterable[str]) -> bool:
    """A year of the window that Comtrade or GDP never materialized."""
    wanted = set(years)
    for key in ANNUAL_KEYS:
        done = instance.get_materialized_partitions(key)
        if not wanted <= set(done):
            return True
    return False


def _timestamp(event) -> float:
    return event.timestamp if event is not None else 0.0


def build_staleness(
    instance: dg.DagsterInstance,
    code_versions: Mapping[dg.AssetKey, str | None],
    settings_digest: str | None = None,
) -> list[str]:
    """Why the build assets are stale.

    Why the build assets (``code_versions``: key -> current code version) are stale;
    empty when they are current.
    """
    keys = [k for k in code_versions if k != DOCS_KEY]
    if not keys:
        return []
    latest = instance.get_latest_materialization_events(keys)
    never = [k for k in keys if latest.get(k) is None]
    if never:
        return [f"{len(never)} build assets never materialized (e.g. {never[0].to_user_string()})"]
    recorded = instance.get_latest_materialization_code_versions(keys)
    edited = [k for k in keys if code_versions[k] and recorded.get(k) != code_versions[k]]
    reasons = (
        [
            f"code changed: {', '.join(k.to_user_string() for k in edited[:5])}"
            + (f" and {len(edited) - 5} more" if len(edited) > 5 else "")
        ]
        if edited
        else []
    )
    inputs = instance.get_latest_materialization_events(list(INPUT_KEYS))
    newest_input = max((_timestamp(e) for e in inputs.values()), default=0.0)
    oldest_build = min(_timestamp(latest[k]) for k in keys)
    if newest_input > oldest_build:
        reasons.append("an input was materialized after the last build")
    if settings_digest is not None and _settings_of(instance, latest.values()) != {settings_digest}:
        reasons.append("the analysis settings (CHOKEPOINT_* variables) changed")
    return reasons


def _settings_of(instance: dg.DagsterInstance, events) -> set:
    """The settings tags of the runs that wrote ``events``."""
    runs = {e.run_id for e in events if e is not None}
    return {
        (r.tags.get(SETTINGS_TAG) if r else None)
        for r in (instance.get_run_by_id(run_id) for run_id in runs)
    }


def docs_needed(
    instance: dg.DagsterInstance,
    code_versions: Mapping[dg.AssetKey, str | None],
    settings: Settings,
) -> bool:
    """Dbt docs are rebuilt when a dbt model's code changed or they were never built."""
    if not (settings.reports_dir / "dbt-docs" / "index.html").exists():
        return True
    if instance.get_latest_materialization_event(DOCS_KEY) is None:
        return True
    dbt = [k for k in code_versions if k.path[0] in DBT_SCHEMAS]
    recorded = instance.get_latest_materialization_code_versions(dbt)
    return any(code_versions[k] and recorded.get(k) != code_versions[k] for k in dbt)


def build_code_versions(asset_graph) -> dict[dg.AssetKey, str | None]:
    """Code version of every build asset.

    Code version of every build asset of a (remote or local) asset graph: the
    materializable assets other than the inputs.
    """
    out = {}
    for key in asset_graph.get_all_asset_keys():
        node = asset_graph.get(key)
        if node.is_materializable and key not in INPUT_KEYS:
            out[key] = node.code_version
    return out


def context_code_versions(context) -> dict[dg.AssetKey, str | None]:
    """Code versions of a sensor's or schedule's repository.

    :func:`build_code_versions` of a sensor's or schedule's repository; empty when it
    is evaluated without one (a test's context): then only the months are decided.
    """
    try:
        repo = context.repository_def
    except dg.DagsterInvariantViolationError:
        return {}
    return build_code_versions(repo.asset_graph) if repo is not None else {}


def decide(
    instance: dg.DagsterInstance,
    settings: Settings,
    files: list[LandingFile],
    code_versions: Mapping[dg.AssetKey, str | None],
    window: tuple[str, str] | None = None,
    years: Iterable[str] = (),
    force: bool = False,
) -> Decision:
    """The decision for a landing scan.

    The decision for ``files`` (a :func:`scan_landing`) over ``window`` (None: every
    month the files hold) and the annual ``years`` (none: the annual sources are not
    this caller's business).
    """
    decision = Decision(
        side_version=side_inputs_version(settings), settings_version=settings_version()
    )
    decision.months = (
        _window_months(files, window)
        if force
        else changed_months(instance, files, window, _warehouse_months(settings))
    )
    if decision.months:
        decision.reasons.append(
            f"customs months with new or changed files: {_span(decision.months)}"
        )
    _refusals(decision, files, window)
    years = list(years)
    if years and (
        force
        or _annual_missing(instance, years)
        or _tag_of_latest(instance, ANNUAL_KEYS) != {decision.side_version}
    ):
        decision.annual = True
        decision.reasons.append("Comtrade or GDP inputs changed or were never loaded")
    if force or _tag_of_latest(instance, SIDE_KEYS) != {decision.side_version}:
        decision.side_inputs = True
        decision.reasons.append("reference or exchange-rate files changed")
    stale = build_staleness(instance, code_versions, decision.settings_version)
    decision.reasons.extend(stale)
    decision.build = bool(
        force or stale or decision.months or decision.annual or decision.side_inputs
    )
    decision.docs = decision.build and (force or docs_needed(instance, code_versions, settings))
    return decision


def _refusals(decision: Decision, files: list[LandingFile], window: tuple[str, str] | None) -> None:
    """Refresh the window's last month when a landing file cannot be read.

    Such a file holds no month, yet an ingestion run must refuse it (move it aside with
    its file, line and field): a run of any month does.
    """
    unreadable = [f.path.name for f in files if f.months is None]
    if not unreadable:
        return
    last = window[1] if window else max(month_versions(files), default=None)
    if last is None:
        return
    if last not in decision.months:
        decision.months = sorted([*decision.months, last])
    decision.reasons.append(f"unreadable files to refuse: {', '.join(unreadable)}")


def _window_months(files: list[LandingFile], window: tuple[str, str] | None) -> list[str]:
    """Every month the files hold in ``window`` (a forced run refreshes them all)."""
    return [m for m in month_versions(files) if window is None or window[0] <= m <= window[1]]


def _span(months: list[str]) -> str:
    return months[0] if len(months) == 1 else f"{months[0]} .. {months[-1]} ({len(months)})"


def selection(decision: Decision, build_keys: Iterable[dg.AssetKey]) -> list[dg.AssetKey]:
    """The assets of the monthly refresh the decision asks for (not the annual ones)."""
    keys: list[dg.AssetKey] = []
    if decision.months:
        keys.append(CUSTOMS_KEY)
    if decision.side_inputs:
        keys.extend(SIDE_KEYS)
    if decision.build:
        keys.extend(k for k in build_keys if decision.docs or k != DOCS_KEY)
    return keys
