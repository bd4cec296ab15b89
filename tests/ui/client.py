"""A GraphQL client for the Dagster webserver, and a webserver for the tests."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(port: int, query: str, variables: dict | None = None) -> dict:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())


@contextmanager
def webserver(data_dir: Path, timeout: float = 180):
    """dagster-webserver on a free port over workspace.yaml, with the data folder's
    instance; yields the port once the code location answers."""
    port = free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(Path(data_dir) / "dagster_home"),
        "CHOKEPOINT_DATA_DIR": str(data_dir),
    }
    log = (Path(data_dir) / "webserver.log").open("ab")
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster-webserver"),
            "-w",
            str(REPO / "workspace.yaml"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2):
                    break
            except OSError:
                time.sleep(1)
        else:
            raise RuntimeError(f"dagster-webserver did not start within {timeout} s")
        # the code location loads in the background; wait until the graph answers
        while time.monotonic() < deadline:
            data = graphql(port, "{ assetNodes { assetKey { path } } }")
            if data.get("data", {}).get("assetNodes"):
                break
            time.sleep(1)
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
