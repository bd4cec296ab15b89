"""Shared fixtures: an isolated data folder per session, with DAGSTER_HOME inside it."""

import os
import sys
from pathlib import Path

import pytest

from orchestration.settings import Settings

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"


_SESSION_DATA_DIR: list[Path] = []


def restore_session_environment() -> None:
    """Point settings and DAGSTER_HOME back at the session's data folder (after a module
    that used a folder of its own)."""
    if _SESSION_DATA_DIR:
        os.environ["CHOKEPOINT_DATA_DIR"] = str(_SESSION_DATA_DIR[0])
        from orchestration.settings import Settings, apply_to_environment

        apply_to_environment(Settings.from_env())


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory) -> Path:
    """A fresh data folder for the session; settings and DAGSTER_HOME point into it."""
    path = tmp_path_factory.mktemp("chokepoint-data")
    _SESSION_DATA_DIR.append(path)
    bindir = str(Path(sys.executable).parent)
    os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    restore_session_environment()
    return path


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


WINDOW = ("2018-01", "2019-12")


@pytest.fixture(scope="session")
def first_run(data_dir):
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
        FIRST_RUN_SNAPSHOT["ind_group_patterns"] = [dict(zip(names, r, strict=True))
                                                    for r in cur.fetchall()]
    finally:
        con.close()
    FIRST_RUN_SNAPSHOT["customs_files"] = sorted(settings.landing("customs").glob("*.csv"))


# Fixtures that run the pipeline or start servers: a test that needs one is "slow", so
# `pytest -m "not slow"` is the fast subset (formulas, parsers, generators, definitions).
SLOW_FIXTURES = {"first_run", "webserver", "docs_site", "spark_build"}
SLOW_FOLDERS = {"ui", "spark", "bench"}
# modules that build a warehouse of their own (measured at 10 s and more)
SLOW_MODULES = {"customs/test_pipeline_grains.py", "pipeline/test_kill_and_resume.py",
                "comtrade/test_mirror.py", "comtrade/test_real_case.py",
                "comtrade/test_synthetic_shapes.py", "reference/test_batch_checks_in_dbt.py",
                "connectors/test_comtrade_bulk_duckdb.py"}


def pytest_collection_modifyitems(config, items):
    import pytest

    for item in items:
        path = Path(str(item.fspath)).relative_to(REPO / "tests")
        if (SLOW_FIXTURES & set(getattr(item, "fixturenames", ()))
                or path.parts[0] in SLOW_FOLDERS or path.as_posix() in SLOW_MODULES):
            item.add_marker(pytest.mark.slow)
