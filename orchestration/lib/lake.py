"""Raw tables as Parquet: the sources the same dbt models read on Spark.

Each table becomes a folder ``<lake>/<schema>.<table>/`` of Parquet files, which the
Spark target registers as external tables before it runs (macro register_lake_sources).
"""

from pathlib import Path

from orchestration.lib.atomic import atomic_path
from orchestration.lib.warehouse import connect_read_only

RAW_SCHEMAS = ("raw", "raw_ref")


def export_raw_to_parquet(warehouse: Path, lake_dir: Path) -> dict[str, int]:
    """Write every raw table as a Parquet folder under ``lake_dir``; returns rows per table."""
    lake_dir.mkdir(parents=True, exist_ok=True)
    con = connect_read_only(warehouse)
    counts = {}
    try:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE list_contains(?, table_schema) AND table_type = 'BASE TABLE'",
            [list(RAW_SCHEMAS)],
        ).fetchall()
        for schema, table in tables:
            with atomic_path(lake_dir / f"{schema}.{table}") as tmp:
                tmp.mkdir()
                con.execute(f"COPY {schema}.{table} TO '{tmp / 'part-0.parquet'}' (FORMAT parquet)")
            counts[f"{schema}.{table}"] = con.execute(
                f"SELECT count(*) FROM {schema}.{table}"
            ).fetchall()[0][0]
    finally:
        con.close()
    return counts
