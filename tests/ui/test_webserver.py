"""The Dagster UI as a user sees it: the GraphQL asset graph, and pages in Chromium."""

import shutil
import time
from pathlib import Path

import pytest

from tests.pipeline.revisions import collapsed_revision
from tests.ui.client import graphql as _graphql

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

QUERY = """
{
  assetNodes {
    assetKey { path }
    opVersion
    dependencyKeys { path }
    assetChecksOrError { ... on AssetChecks { checks { name blocking } } }
  }
  workspaceOrError { ... on Workspace { locationEntries { locationOrLoadError {
    ... on RepositoryLocation { repositories { name schedules { name } sensors { name } } }
    ... on PythonError { message }
  } } } }
}
"""


def test_graphql_lineage_checks_schedule_and_sensor(webserver):
    data = _graphql(webserver, QUERY)["data"]
    nodes = {"/".join(n["assetKey"]["path"]): n for n in data["assetNodes"]}
    parents = {k: {"/".join(d["path"]) for d in n["dependencyKeys"]} for k, n in nodes.items()}
    chains = {
        "customs": [
            "raw/customs_monthly_trade",
            "staging/stg_customs__monthly_trade",
            "intermediate/int_customs__code_totals",
            "intermediate/int_customs__tech_imports",
            "marts/fct_tech_group_monthly",
            "indicators/ind_tech_group_series",
            "indicators/ind_group_patterns",
        ],
        "comtrade": [
            "raw/comtrade_annual_flows",
            "staging/stg_comtrade__annual_flows",
            "intermediate/int_comtrade__hs6_canonical",
            "indicators/ind_hs6_world_share",
            "indicators/ind_mic25_export_share",
        ],
        "gdp": [
            "raw/gdp_annual",
            "staging/stg_gdp__annual",
            "marts/fct_tech_group_monthly",
            "indicators/ind_tech_group_series",
            "indicators/ind_group_patterns",
        ],
    }
    for source, chain in chains.items():
        for parent, child in zip(chain, chain[1:], strict=False):
            assert parent in parents[child], f"{source}: {parent} -> {child} missing"
    # code versions are visible: Python assets' from their code, dbt models' from their SQL
    for key in ["raw/customs_monthly_trade", "raw/gdp_annual", "marts/fct_tech_group_monthly"]:
        assert nodes[key]["opVersion"], key
    assert any(k.startswith("staging/stg_") for k in nodes)
    assert any(k.startswith("marts/fct_") for k in nodes)
    checks = {
        c["name"]: c["blocking"]
        for n in nodes.values()
        for c in (n["assetChecksOrError"] or {}).get("checks", [])
    }
    assert checks.get("ge_customs_monthly_trade") is True
    assert checks.get("ge_fct_tech_group_monthly") is True
    repos = [
        r
        for e in data["workspaceOrError"]["locationEntries"]
        for r in e["locationOrLoadError"].get("repositories", [])
    ]
    schedules = {s["name"] for r in repos for s in r["schedules"]}
    sensors = {s["name"] for r in repos for s in r["sensors"]}
    assert "monthly_refresh_schedule" in schedules
    assert "customs_landing_sensor" in sensors


def _driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    # the flags this machine's closed network needs (env: machines/python.md)
    for flag in [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1800,1100",
    ]:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def _page_text(driver, url: str, expected: str, timeout: float = 180) -> str:
    from selenium.webdriver.common.by import By

    driver.get(url)
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        for button in driver.find_elements(By.XPATH, "//button[normalize-space()='Skip']"):
            button.click()  # the community sign-up dialog of a fresh instance
        text = driver.execute_script("return document.body.innerText")
        if expected in text:
            time.sleep(2)  # let the graph finish laying out before the screenshot
            return driver.execute_script("return document.body.innerText")
        time.sleep(1)
    raise AssertionError(f"{expected!r} not rendered at {url}:\n{text[:2000]}")


@pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="Debian's chromium and chromium-driver are not installed",
)
def test_browser_renders_lineage_and_failed_check(webserver, first_run, artifacts, monkeypatch):
    from orchestration.runner import run_pipeline

    settings, _ = first_run
    collapsed_revision(settings, "2019-11")
    monkeypatch.setenv("CHOKEPOINT_VOLUME_SEVERITY", "error")
    refused = run_pipeline(settings, month_from="2019-11", month_to="2019-11")
    assert refused.checks["raw/customs_monthly_trade:ge_customs_monthly_trade"] == "failed"
    driver = _driver()
    try:
        base = f"http://127.0.0.1:{webserver}"
        text = _page_text(
            driver,
            f"{base}/assets/indicators/ind_group_patterns?view=lineage"
            "&lineageScope=upstream&lineageDepth=6",
            "marts",
        )
        driver.save_screenshot(str(artifacts / "ui_lineage_ind_group_patterns.png"))
        for group in ["raw", "staging", "intermediate", "marts", "indicators", "reference"]:
            assert group in text, group
        assert "ind_group_patterns" in text  # a large graph shows its groups collapsed

        text = _page_text(
            driver,
            f"{base}/assets/raw/customs_monthly_trade?view=checks"
            "&checkDetail=ge_customs_monthly_trade",
            "failed_rules",
        )
        driver.save_screenshot(str(artifacts / "ui_customs_checks.png"))
        assert "This is a blocking asset check" in text
        assert "Great Expectations suite" in text
        # the newest evaluation is the refused audit above
        assert "Failed" in text
        assert "failed_rules" in text and "rows_validated" in text

    finally:
        driver.quit()


@pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="Debian's chromium and chromium-driver are not installed",
)
def test_browser_asset_page_shows_table_row_count_and_owner(webserver, first_run, artifacts):
    import duckdb

    settings, _ = first_run
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        rows = con.execute("SELECT count(*) FROM marts.fct_tech_group_monthly").fetchone()[0]
    finally:
        con.close()
    driver = _driver()
    try:
        base = f"http://127.0.0.1:{webserver}"
        text = _page_text(
            driver,
            f"{base}/assets/marts/fct_tech_group_monthly",
            "chokepoint.marts.fct_tech_group_monthly",
        )
        driver.save_screenshot(str(artifacts / "ui_mart_fct_tech_group_monthly.png"))
        assert f"{rows:,}" in text, rows
        assert "chokepoint-data" in text  # the owner, team:chokepoint-data
        assert "marts" in text  # its group, the layer

        text = _page_text(driver, f"{base}/asset-groups", "indicators")
        driver.save_screenshot(str(artifacts / "ui_asset_graph.png"))
        for group in [
            "raw",
            "reference",
            "staging",
            "intermediate",
            "marts",
            "indicators",
            "reports",
            "serving",
        ]:
            assert group in text, group
    finally:
        driver.quit()
