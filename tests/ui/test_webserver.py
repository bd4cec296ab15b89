"""The Dagster UI as a user sees it: the GraphQL asset graph, and pages in Chromium."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

QUERY = """
{
  assetNodes {
    assetKey { path }
    dependencyKeys { path }
    assetChecksOrError { ... on AssetChecks { checks { name blocking } } }
  }
  workspaceOrError { ... on Workspace { locationEntries { locationOrLoadError {
    ... on RepositoryLocation { repositories { name schedules { name } sensors { name } } }
    ... on PythonError { message }
  } } } }
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())


@pytest.fixture(scope="module")
def webserver(data_dir):
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(Path(data_dir) / "dagster_home")}
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster-webserver"), "-w",
         str(REPO / "workspace.yaml"), "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2):
                break
        except OSError:
            time.sleep(1)
    else:
        proc.kill()
        pytest.fail("dagster-webserver did not start within 120 s")
    # the code location loads in the background; wait until the graph answers
    while time.monotonic() < deadline:
        data = _graphql(port, "{ assetNodes { assetKey { path } } }")
        if data.get("data", {}).get("assetNodes"):
            break
        time.sleep(1)
    yield port
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def test_graphql_lineage_checks_schedule_and_sensor(webserver):
    data = _graphql(webserver, QUERY)["data"]
    nodes = {"/".join(n["assetKey"]["path"]): n for n in data["assetNodes"]}
    parents = {k: {"/".join(d["path"]) for d in n["dependencyKeys"]} for k, n in nodes.items()}
    chains = {
        "customs": ["raw/customs_monthly_trade", "stg_customs__monthly_trade",
                    "int_customs__tech_imports", "fct_tech_group_monthly",
                    "int_tech_group_series", "ind_group_patterns"],
        "comtrade": ["raw/comtrade_annual_flows", "stg_comtrade__annual_flows",
                     "int_comtrade__hs6_canonical", "ind_hs6_world_share",
                     "ind_mic25_import_dependence"],
        "gdp": ["raw/gdp_annual", "stg_gdp__annual", "fct_tech_group_monthly",
                "int_tech_group_series", "ind_group_patterns"],
    }
    for source, chain in chains.items():
        for parent, child in zip(chain, chain[1:], strict=False):
            assert parent in parents[child], f"{source}: {parent} -> {child} missing"
    assert any(k.startswith("stg_") for k in nodes) and any(k.startswith("fct_") for k in nodes)
    checks = {c["name"]: c["blocking"]
              for n in nodes.values()
              for c in (n["assetChecksOrError"] or {}).get("checks", [])}
    assert checks.get("ge_customs_monthly_trade") is True
    assert checks.get("ge_fct_tech_group_monthly") is True
    repos = [r for e in data["workspaceOrError"]["locationEntries"]
             for r in e["locationOrLoadError"].get("repositories", [])]
    schedules = {s["name"] for r in repos for s in r["schedules"]}
    sensors = {s["name"] for r in repos for s in r["sensors"]}
    assert "monthly_refresh_schedule" in schedules
    assert "customs_landing_sensor" in sensors


def _chromium(url: str, screenshot: Path) -> str:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync",
             f"--user-data-dir={screenshot.parent / ('.chromium-' + screenshot.stem)}",
             "--window-size=1600,1000", "--virtual-time-budget=20000"]
    subprocess.run([CHROMIUM, *flags, f"--screenshot={screenshot}", url],
                   capture_output=True, timeout=120, check=False)
    dom = subprocess.run([CHROMIUM, *flags, "--dump-dom", url],
                         capture_output=True, timeout=120, check=False, text=True)
    return dom.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_browser_renders_asset_graph_and_check_page(webserver, artifacts):
    graph_png = artifacts / "ui_asset_graph.png"
    dom = _chromium(f"http://127.0.0.1:{webserver}/asset-groups/", graph_png)
    assert graph_png.exists() and graph_png.stat().st_size > 10_000
    assert "customs_monthly_trade" in dom or "stg_customs__monthly_trade" in dom, dom[:2000]

    check_png = artifacts / "ui_customs_checks.png"
    dom = _chromium(
        f"http://127.0.0.1:{webserver}/assets/raw/customs_monthly_trade?view=checks", check_png)
    assert check_png.exists() and check_png.stat().st_size > 10_000
    assert "ge_customs_monthly_trade" in dom, dom[:2000]
