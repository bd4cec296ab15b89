"""The dbt docs and the quality report over http, as `chokepoint docs` serves them and the
asset metadata links to them: the docs page must load its manifest (it cannot as a file)."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import dagster as dg
import pytest

from tests.ui.client import free_port
from tests.ui.test_webserver import CHROMEDRIVER, CHROMIUM, _driver, _page_text

REPO = Path(__file__).resolve().parents[2]


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return resp.status, resp.read()


@pytest.fixture(scope="module")
def docs_site(first_run):
    """`chokepoint docs` over the session's data folder, on a free port."""
    settings, _ = first_run
    port = free_port()
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "chokepoint"),
            "docs",
            "--data-dir",
            str(settings.data_dir),
            "--port",
            str(port),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(f"{base}/quality/index.html")
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "chokepoint docs did not answer"
                time.sleep(0.5)
        yield settings, base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            # a loaded machine: the server's exit is not what this module tests
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)


def test_docs_page_and_its_manifest_come_over_http(docs_site):
    settings, base = docs_site
    status, page = _get(f"{base}/dbt-docs/index.html")
    assert status == 200 and b"manifest.json" in page
    status, body = _get(f"{base}/dbt-docs/manifest.json")
    manifest = json.loads(body)
    assert "model.chokepoint.fct_tech_group_monthly" in manifest["nodes"]
    status, body = _get(f"{base}/dbt-docs/catalog.json")
    assert "model.chokepoint.fct_tech_group_monthly" in json.loads(body)["nodes"]
    status, body = _get(f"{base}/quality/index.html")
    assert b"Chokepoint data quality" in body


def test_asset_metadata_links_to_the_served_pages(docs_site):
    settings, base = docs_site
    instance = dg.DagsterInstance.from_config(str(settings.dagster_home))
    docs = instance.get_latest_materialization_event(dg.AssetKey(["serving", "dbt_docs"]))
    url = docs.asset_materialization.metadata["docs"].url
    assert urlparse(url).path == "/dbt-docs/index.html"
    assert urlparse(url).hostname == "127.0.0.1"
    # each check links the quality report, each charted asset its chart
    patterns = instance.get_latest_materialization_event(
        dg.AssetKey(["indicators", "ind_group_patterns"])
    ).asset_materialization.metadata
    assert patterns["chart"].md_str.startswith("![pattern_matrix.png](data:image/png;base64,")
    chart = urlparse(patterns["chart_file"].url).path
    status, png = _get(f"{base}{chart}")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    records = instance.event_log_storage.get_asset_check_execution_history(
        dg.AssetCheckKey(
            dg.AssetKey(["marts", "fct_tech_group_monthly"]), "ge_fct_tech_group_monthly"
        ),
        limit=1,
    )
    evaluation = records[0].event.dagster_event.event_specific_data
    report = urlparse(evaluation.metadata["quality_report"].url).path
    assert report == "/quality/index.html"
    assert b"fct_tech_group_monthly" in _get(f"{base}{report}")[1]


@pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="Debian's chromium and chromium-driver are not installed",
)
def test_browser_opens_the_dbt_docs_of_a_mart(docs_site, artifacts):
    settings, base = docs_site
    driver = _driver()
    try:
        # the model page renders only once the page has fetched manifest.json
        text = _page_text(
            driver,
            f"{base}/dbt-docs/index.html#!/model/model.chokepoint.fct_tech_group_monthly",
            "imports_usd",
            timeout=120,
        )
        driver.save_screenshot(str(artifacts / "dbt_docs_fct_tech_group_monthly.png"))
        assert "fct_tech_group_monthly" in text
        assert "unable to load the manifest" not in text.lower()
    finally:
        driver.quit()


def test_docs_server_stops_on_sigterm_even_when_its_parent_ignores_it(tmp_path):
    """A launcher that ignores SIGTERM (nohup, some CI runners) passes that on to its
    children; the server must still stop when asked."""
    port = free_port()
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "chokepoint"),
            "docs",
            "--data-dir",
            str(tmp_path / "data"),
            "--init",
            "--port",
            str(port),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGTERM, signal.SIG_IGN),
    )
    try:
        deadline = time.monotonic() + 60
        while "Ctrl-C stops the server." not in (line := proc.stdout.readline()):
            assert line or proc.poll() is None, "chokepoint docs ended early"
            assert time.monotonic() < deadline, "chokepoint docs did not start"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)
