"""Resources, configured from the environment through :mod:`orchestration.settings`."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource

from orchestration.defs.dbt.project import dbt_executable
from orchestration.environment import current_target
from orchestration.settings import DBT_PROJECT_DIR, Settings


def duckdb_memory_limit() -> str:
    """Bound DuckDB's memory (it spills to disk beyond it): the full record on one machine
    stays within a few GB. The dbt profile reads the same variable."""
    return os.environ.get("CHOKEPOINT_DUCKDB_MEMORY_LIMIT", "1GB")


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB file the pipeline writes. Connections are short-lived because DuckDB
    allows one writing process and dbt opens the same file in its own steps."""

    path: str

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = duckdb.connect(self.path, config={"memory_limit": duckdb_memory_limit()})
        try:
            yield con
        finally:
            con.close()


def build_resources() -> dict:
    # no folders made here: building the definitions writes nothing (the CLI makes them)
    settings = Settings.from_env()
    return {
        "warehouse": WarehouseResource(path=str(settings.warehouse_path)),
        "dbt": DbtCliResource(
            project_dir=str(DBT_PROJECT_DIR),
            profiles_dir=str(DBT_PROJECT_DIR),
            target=current_target(),
            dbt_executable=dbt_executable(),
        ),
    }
