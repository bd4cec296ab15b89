"""A warehouse built from Comtrade files alone: the landing files go through the real
ingestion (orchestration.defs.comtrade.assets.ingest), the shipped reference files into
raw_ref, and dbt builds the selected models with their tests into a private target."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from orchestration.defs.comtrade.assets import ingest
from orchestration.defs.reference.assets import FILES
from orchestration.settings import BUNDLED_DATA_DIR, DBT_PROJECT_DIR, Settings

REAL_FILE = next((BUNDLED_DATA_DIR / "real" / "comtrade").glob("*.csv"))


def load_reference(con, reference_dir: Path = BUNDLED_DATA_DIR / "reference") -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw_ref")
    for name, (rel, options) in FILES.items():
        skip = ", skip=1" if options.startswith("names") else ""
        con.execute(
            f"CREATE OR REPLACE TABLE raw_ref.{name} AS SELECT * FROM read_csv(?, "
            f"all_varchar=true, {options}{skip})",
            [str(reference_dir / rel)],
        )


def build_comtrade_warehouse(
    data_dir: Path, files: list[Path], years: list[int], select: str, env_extra: dict | None = None
) -> subprocess.CompletedProcess:
    landing = data_dir / "landing" / "comtrade"
    landing.mkdir(parents=True, exist_ok=True)
    for path in files:
        shutil.copyfile(path, landing / path.name)
    warehouse = data_dir / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    try:
        ingest(con, Settings(data_dir=data_dir), years)
        load_reference(con)
    finally:
        con.close()
    env = {
        **os.environ,
        "CHOKEPOINT_DATA_DIR": str(data_dir),
        "CHOKEPOINT_WAREHOUSE": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **(env_extra or {}),
    }
    dbt = str(Path(sys.executable).parent / "dbt")
    return subprocess.run(
        [
            dbt,
            "build",
            "--select",
            select,
            "--indirect-selection",
            "cautious",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(data_dir / "dbt-target"),
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=data_dir,
        timeout=600,
    )
