"""Publish marts and indicators to a read-only serving copy, atomically.

BI tools and notebooks read ``<data-dir>/serving/chokepoint.duckdb`` (and the Parquet
files under ``serving/parquet/current``), never the warehouse the pipeline writes. A new
publication is written beside the old one and swapped in with a rename, so a reader
connected during a refresh keeps the file it opened (POSIX keeps a renamed-over file
alive for open handles), is never blocked by the pipeline's write lock, and sees the new
data on its next connection. A failed refresh never reaches this step, so the previous
publication stays as it was.
"""

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb

PUBLISHED_SCHEMAS = ("marts", "indicators", "reports")
KEEP_PARQUET_VERSIONS = 3


def published_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """The (schema, table) pairs the serving copy holds."""
    return con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_catalog = 'wh' AND list_contains(?, table_schema) "
        "AND table_type = 'BASE TABLE' ORDER BY 1, 2",
        [list(PUBLISHED_SCHEMAS)],
    ).fetchall()


def publish(warehouse: Path, serving_dir: Path) -> dict:
    """Copy the published tables into a new serving file and switch to it atomically."""
    serving_dir.mkdir(parents=True, exist_ok=True)
    version = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = serving_dir / "chokepoint.duckdb"
    staging = serving_dir / f".chokepoint.{version}.duckdb.tmp"
    parquet_root = serving_dir / "parquet"
    parquet_dir = parquet_root / version
    parquet_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(staging))
    counts: dict[str, int] = {}
    try:
        con.execute(f"ATTACH '{warehouse}' AS wh (READ_ONLY)")
        tables = published_tables(con)
        for schema in sorted({s for s, _ in tables}):
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        for schema, table in tables:
            con.execute(f"CREATE TABLE {schema}.{table} AS SELECT * FROM wh.{schema}.{table}")
            con.execute(
                f"COPY {schema}.{table} TO '{parquet_dir / f'{schema}.{table}.parquet'}' "
                "(FORMAT parquet)"
            )
            counts[f"{schema}.{table}"] = con.execute(
                f"SELECT count(*) FROM {schema}.{table}"
            ).fetchall()[0][0]
        con.execute(
            "CREATE TABLE main.publication AS SELECT ? AS version, now() AS published_at",
            [version],
        )
        con.execute("DETACH wh")
    except Exception:
        con.close()
        staging.unlink(missing_ok=True)
        shutil.rmtree(parquet_dir, ignore_errors=True)
        raise
    con.close()
    os.replace(staging, target)
    _swap_symlink(parquet_root / "current", parquet_dir)
    for old in sorted(p for p in parquet_root.iterdir() if p.is_dir() and not p.is_symlink())[
        :-KEEP_PARQUET_VERSIONS
    ]:
        shutil.rmtree(old, ignore_errors=True)
    return {"version": version, "path": str(target), "tables": counts}


def _swap_symlink(link: Path, target: Path) -> None:
    tmp = link.with_name(f".{link.name}.tmp")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target.name)
    os.replace(tmp, link)
