"""The same dbt models on Apache Spark give the same indicator tables as on DuckDB.

Both engines read the same raw tables, exported as Parquet (orchestration/lib/lake.py): a
fresh DuckDB warehouse loads them, Spark registers them as external tables. Every
indicator table is then compared row by row (floats to 1e-9 relative).
"""

import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.lake import export_raw_to_parquet
from orchestration.settings import DBT_PROJECT_DIR

pytestmark = pytest.mark.spark

JAVA = shutil.which("java")
INDICATORS = [
    "ind_group_patterns",
    "ind_pattern_matrix",
    "ind_pattern_sensitivity",
    "ind_gdp_shares",
    "ind_batch_index",
    "ind_trade_growth",
    "ind_hs6_world_share",
    "ind_mic25_import_dependence",
    "ind_mic25_export_share",
    "ind_mic25_scorecard",
    "ind_hs4_vulnerability",
    "ind_china_mirror_gap",
]


def _dbt(target: str, env: dict) -> subprocess.CompletedProcess:
    dbt = str(Path(sys.executable).parent / "dbt")
    return subprocess.run(
        [
            dbt,
            "build",
            "--target",
            target,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(Path(env["CHOKEPOINT_DATA_DIR"]) / f"dbt-target-{target}"),
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=env["CHOKEPOINT_DATA_DIR"],
        timeout=1200,
    )


def _rows(con, relation: str) -> list[tuple]:
    return con.execute(f"SELECT * FROM {relation} ORDER BY ALL").fetchall()


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is None and b is None
        # Spark and DuckDB add in different orders: a difference of two sums near 2e12
        # USD (a gap that is nearly zero) differs by a few ulps of the sums, 1e-4 USD.
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-3)
    return str(a) == str(b)


@pytest.mark.skipif(JAVA is None, reason="Java is not installed")
def test_indicators_equal_on_spark_and_duckdb(first_run, tmp_path):
    settings, _ = first_run
    lake = tmp_path / "lake"
    export_raw_to_parquet(settings.warehouse_path, lake)

    duck_file = tmp_path / "duck.duckdb"
    con = duckdb.connect(str(duck_file))
    for folder in sorted(lake.iterdir()):
        schema, table = folder.name.split(".", 1)
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        con.execute(
            f"CREATE TABLE {schema}.{table} AS SELECT * FROM read_parquet('{folder}/*.parquet')"
        )
    con.close()

    env = {
        **os.environ,
        "CHOKEPOINT_DATA_DIR": str(tmp_path),
        "CHOKEPOINT_LAKE_DIR": str(lake),
        "CHOKEPOINT_WAREHOUSE": str(duck_file),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    duck = _dbt("duckdb", env)
    assert duck.returncode == 0, duck.stdout[-3000:]
    spark = _dbt("spark", {**env, "CHOKEPOINT_TARGET": "spark"})
    assert spark.returncode == 0, spark.stdout[-3000:]

    spark_tables = tmp_path / "spark" / "warehouse" / "indicators.db"
    con = duckdb.connect(str(duck_file), read_only=True)
    try:
        for table in INDICATORS:
            ours = _rows(con, f"indicators.{table}")
            theirs = _rows(con, f"read_parquet('{spark_tables / table}/*.parquet')")
            assert len(ours) == len(theirs) > 0, table
            for row_a, row_b in zip(ours, theirs, strict=True):
                assert all(_same(a, b) for a, b in zip(row_a, row_b, strict=True)), (
                    table,
                    row_a,
                    row_b,
                )
    finally:
        con.close()
