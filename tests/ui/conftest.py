"""One webserver for the UI tests of a session, over the session's data folder."""

import pytest

from tests.ui.client import webserver as start_webserver


@pytest.fixture(scope="session")
def webserver(first_run):
    settings, _ = first_run
    with start_webserver(settings.data_dir) as port:
        yield port
