"""How customs files are kept in the warehouse: every vintage, a load log, a current slice.

- ``raw.customs_trade_vintages`` holds every row of every file ever loaded, with the
  file's hash and load time, so a revision can be compared with what it replaced.
- ``raw.customs_load_log`` has one row per loaded file (name, hash, flow, months, rows).
- ``raw.customs_monthly_trade`` is the current slice: per month and flow, the rows of the
  newest file that covers them. Materializing a month deletes and re-inserts its slice.
"""

import hashlib
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.defs.customs.parsing import ParsedCustomsFile

TRADE_COLUMNS = """
    line_no INTEGER, period_month VARCHAR, flow VARCHAR, partner_code VARCHAR,
    partner_name VARCHAR, hs8 VARCHAR, product_name VARCHAR, qty1 DOUBLE, unit1 VARCHAR,
    qty2 DOUBLE, unit2 VARCHAR, regime_code VARCHAR, regime_name VARCHAR,
    location_code VARCHAR, location_name VARCHAR, value_native DOUBLE, currency VARCHAR,
    source_file VARCHAR, file_sha256 VARCHAR, loaded_at TIMESTAMP, origin VARCHAR
"""
COLUMN_NAMES = [c.split()[0] for c in TRADE_COLUMNS.replace("\n", " ").split(",") if c.strip()]


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(f"CREATE TABLE IF NOT EXISTS raw.customs_trade_vintages ({TRADE_COLUMNS})")
    con.execute(f"CREATE TABLE IF NOT EXISTS raw.customs_monthly_trade ({TRADE_COLUMNS})")
    con.execute(
        """CREATE TABLE IF NOT EXISTS raw.customs_load_log (
            file_name VARCHAR, file_sha256 VARCHAR PRIMARY KEY, flow VARCHAR,
            currency VARCHAR, months VARCHAR[], rows BIGINT, total_value_native DOUBLE,
            archived_path VARCHAR, origin VARCHAR, loaded_at TIMESTAMP)"""
    )
    con.execute("ALTER TABLE raw.customs_load_log ADD COLUMN IF NOT EXISTS signature VARCHAR")


def signature(path: Path) -> str:
    """Name, size and modification time: a file whose signature was seen at load time is
    the same file, so the full-record landing folder is not re-hashed on every run."""
    stat = path.stat()
    return f"{path.name}|{stat.st_size}|{stat.st_mtime_ns}"


def known_signatures(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute(
        "SELECT signature FROM raw.customs_load_log WHERE signature IS NOT NULL").fetchall()}


def loaded_hashes(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT file_sha256 FROM raw.customs_load_log").fetchall()}


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def origin_of(path: Path) -> str:
    return "synthetic" if "synthetic" in path.name.lower() else "real"


def archive(path: Path, sha256: str, archive_dir: Path) -> Path:
    """Keep the file unchanged under its content hash (idempotent)."""
    archive_dir.mkdir(parents=True, exist_ok=True)
    target = archive_dir / f"{sha256}{''.join(path.suffixes)}"
    if not target.exists():
        tmp = target.with_name(target.name + ".part")
        shutil.copyfile(path, tmp)
        tmp.replace(target)
    return target


def store_vintage(
    con: duckdb.DuckDBPyConnection, parsed: ParsedCustomsFile, archived: Path
) -> None:
    """Append a parsed file as a new vintage and log it, in one transaction."""
    now = datetime.now(UTC).replace(tzinfo=None)
    origin = origin_of(parsed.path)
    parsed_cols = [c for c in COLUMN_NAMES if c not in ("loaded_at", "origin")]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            f"INSERT INTO raw.customs_trade_vintages SELECT {', '.join(parsed_cols)}, "
            f"?::TIMESTAMP, ? FROM {parsed.table}",
            [now, origin],
        )
        con.execute(
            "INSERT INTO raw.customs_load_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [parsed.path.name, parsed.sha256, parsed.flow, parsed.currency, parsed.months,
             parsed.rows, parsed.total_value_native, str(archived), origin, now,
             signature(parsed.path)],
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def replace_current_slice(con: duckdb.DuckDBPyConnection, months: list[str]) -> int:
    """Delete then insert the current rows of these months: per month and flow, the
    newest vintage. Returns the number of rows now current for these months."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "DELETE FROM raw.customs_monthly_trade WHERE list_contains(?, period_month)",
            [months],
        )
        con.execute(
            """
            INSERT INTO raw.customs_monthly_trade
            WITH latest AS (
                SELECT period_month, flow,
                       arg_max(file_sha256, (loaded_at, source_file)) AS file_sha256
                FROM raw.customs_trade_vintages
                WHERE list_contains(?, period_month)
                GROUP BY period_month, flow
            )
            SELECT v.* FROM raw.customs_trade_vintages v
            JOIN latest USING (period_month, flow, file_sha256)
            """,
            [months],
        )
        count = con.execute(
            "SELECT count(*) FROM raw.customs_monthly_trade "
            "WHERE list_contains(?, period_month)", [months]
        ).fetchall()[0][0]
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return count
