"""Shared fixtures: an isolated data folder per session, with DAGSTER_HOME inside it."""

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration.settings import Settings, exported_environment, write_dagster_yaml

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"


# The session's data folder and the MonkeyPatch that holds its variables: every variable
# the session sets goes through it, so the environment is as it was once the session ends.
_SESSION: dict = {}


def _point_at(patch: pytest.MonkeyPatch, path: Path) -> None:
    """Settings, dbt and DAGSTER_HOME at ``path``, through ``patch`` (undone with it)."""
    patch.setenv("CHOKEPOINT_DATA_DIR", str(path))
    settings = Settings.from_env()
    settings.ensure_dirs()
    write_dagster_yaml(settings.dagster_home)
    for name, value in exported_environment(settings).items():
        patch.setenv(name, value)
    if "DBT_SEND_ANONYMOUS_USAGE_STATS" not in os.environ:
        patch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


def restore_session_environment() -> None:
    """Point settings and DAGSTER_HOME back at the session's data folder.

    For a module that used a folder of its own; the values go through the session's
    MonkeyPatch, so they too are undone when the session ends.
    """
    if _SESSION:
        _point_at(_SESSION["patch"], _SESSION["data_dir"])


@pytest.fixture(autouse=True)
def _restore_environment():
    """Whatever a test writes to os.environ is gone after it.

    ``main()`` exports its data folder, for example. Session and module fixtures are set
    up before this one (higher scopes first), so what they set stays.
    """
    saved = dict(os.environ)
    yield
    if dict(os.environ) != saved:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory) -> Iterator[Path]:
    """A fresh data folder for the session.

    Settings and DAGSTER_HOME point into it until the session ends, then the environment
    is as it was.
    """
    path = tmp_path_factory.mktemp("chokepoint-data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", str(Path(sys.executable).parent), prepend=os.pathsep)
        _SESSION.update(data_dir=path, patch=patch)
        _point_at(patch, path)
        yield path
        _SESSION.clear()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The folder where tests leave files for a person to look at (CI keeps it)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


WINDOW = ("2018-01", "2019-12")


@pytest.fixture(scope="session")
def first_run(data_dir):
    """The session's pipeline run over WINDOW, and the tables as it left them."""
    from orchestration.runner import run_pipeline

    settings = Settings.from_env()
    report = run_pipeline(settings, month_from=WINDOW[0], month_to=WINDOW[1])
    _snapshot_first_run(settings)
    return settings, report


# Tables as the first run left them and the files it read, before other tests revise them.
FIRST_RUN_SNAPSHOT: dict = {}


def _snapshot_first_run(settings) -> None:
    import duckdb

    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        cur = con.execute("SELECT * FROM indicators.ind_group_patterns")
        names = [d[0] for d in cur.description]
        FIRST_RUN_SNAPSHOT["ind_group_patterns"] = [
            dict(zip(names, r, strict=True)) for r in cur.fetchall()
        ]
    finally:
        con.close()
    FIRST_RUN_SNAPSHOT["customs_files"] = sorted(settings.landing("customs").glob("*.csv"))


# Fixtures that run the pipeline or start servers: a test that needs one is "slow", so
# `pytest -m "not slow"` is the fast subset (formulas, parsers, generators, definitions).
SLOW_FIXTURES = {"first_run", "webserver", "docs_site", "spark_build"}
SLOW_FOLDERS = {"ui", "spark", "bench"}
# modules that build a warehouse of their own (measured at 10 s and more)
SLOW_MODULES = {
    "customs/test_pipeline_grains.py",
    "pipeline/test_kill_and_resume.py",
    "comtrade/test_mirror.py",
    "comtrade/test_real_case.py",
    "comtrade/test_synthetic_shapes.py",
    "reference/test_batch_checks_in_dbt.py",
    "connectors/test_comtrade_bulk_duckdb.py",
}


def pytest_collection_modifyitems(config, items):
    """Mark the tests that run the pipeline or start servers as slow."""
    for item in items:
        path = Path(str(item.fspath)).relative_to(REPO / "tests")
        if (
            SLOW_FIXTURES & set(getattr(item, "fixturenames", ()))
            or path.parts[0] in SLOW_FOLDERS
            or path.as_posix() in SLOW_MODULES
        ):
            item.add_marker(pytest.mark.slow)


def pytest_sessionstart(session):
    """Parse the dbt project when its manifest is missing or stale (after a pull or a
    merge): importing the definitions never parses, and the tests load them."""
    from orchestration.defs.dbt.project import ensure_manifest

    ensure_manifest()
