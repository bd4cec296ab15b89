"""Fixtures of the pipeline tests: one session-scoped run on a short window."""

import pytest

from orchestration.settings import Settings

WINDOW = ("2018-01", "2019-12")


@pytest.fixture(scope="session")
def first_run(data_dir):
    from orchestration.runner import run_pipeline

    settings = Settings.from_env()
    report = run_pipeline(settings, month_from=WINDOW[0], month_to=WINDOW[1])
    return settings, report
