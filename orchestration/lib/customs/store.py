"""How customs files are kept in the warehouse: every vintage, a load log, the current rows.

A user downloads many partial files per month and flow (the portal takes a few condition
codes per query and cuts results at 10,000 rows), at several grains (see parsing), and
downloads again when GACC revises. So files are unioned, never replaced:

- ``raw.customs_trade_vintages`` holds every row of every file ever loaded, with the
  file's hash and load time, so a revision can be compared with what it replaced.
- ``raw.customs_load_log`` has one row per loaded file (name, hash, flow, grain, months).
- ``raw.customs_monthly_trade`` holds the current rows: one per key (month, flow, grain,
  code and the grain's dimensions), taken from the newest file holding that key. A key
  absent from a newer file keeps its row; identical rows of several files collapse.
- ``raw.customs_revisions`` lists every key whose value a newer file changed (old, new,
  both files); the old row stays in the vintages.
- ``raw.customs_declared_coverage`` has the codes a manifest says a file's query asked
  for, per month: a code asked for and absent is "no trade", not "not downloaded".
"""

import hashlib
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from orchestration.lib.accounting import FileAccount
from orchestration.lib.customs.parsing import ParsedCustomsFile
from orchestration.lib.warehouse import transaction
from orchestration.settings import WINDOW_START

TRADE_COLUMNS = """
    line_no INTEGER, period_month VARCHAR, flow VARCHAR, partner_code VARCHAR,
    partner_name VARCHAR, hs8 VARCHAR, product_name VARCHAR, qty1 DOUBLE, unit1 VARCHAR,
    qty2 DOUBLE, unit2 VARCHAR, regime_code VARCHAR, regime_name VARCHAR,
    location_code VARCHAR, location_name VARCHAR, value_native DOUBLE, currency VARCHAR,
    source_file VARCHAR, file_sha256 VARCHAR, loaded_at TIMESTAMP, origin VARCHAR,
    grain VARCHAR
"""
# A row's identity: its grain and the grain's dimensions (absent dimensions are null).
_KEY_COLUMNS = (
    "period_month",
    "flow",
    "grain",
    "hs8",
    "partner_code",
    "regime_code",
    "location_code",
)
# the grain's dimensions: null where the grain lacks them, so compared through coalesce
KEY = (*_KEY_COLUMNS[:4], *(f"coalesce({c}, '')" for c in _KEY_COLUMNS[4:]))
_KEY_SQL = ", ".join(KEY)
# what a revision may change
_VALUE_COLUMNS = ("value_native", "currency", "qty1", "qty2")
LEGACY_GRAIN = (
    "'commodity,partner' || CASE WHEN regime_code IS NOT NULL THEN ',regime' ELSE '' END"
    " || CASE WHEN location_code IS NOT NULL THEN ',location' ELSE '' END"
)
COLUMN_NAMES = [c.split()[0] for c in TRADE_COLUMNS.replace("\n", " ").split(",") if c.strip()]


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the customs tables, and bring older warehouses up to the current columns."""
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
    # warehouses from before grains: every file then had partner columns
    con.execute("ALTER TABLE raw.customs_load_log ADD COLUMN IF NOT EXISTS grain VARCHAR")
    # set by `chokepoint revert`: the file's rows moved to raw.customs_reverted_vintages
    con.execute("ALTER TABLE raw.customs_load_log ADD COLUMN IF NOT EXISTS reverted_at TIMESTAMP")
    for table in ("customs_trade_vintages", "customs_monthly_trade"):
        con.execute(f"ALTER TABLE raw.{table} ADD COLUMN IF NOT EXISTS grain VARCHAR")
        if con.execute(f"SELECT count(*) FROM raw.{table} WHERE grain IS NULL").fetchone()[0]:
            con.execute(f"UPDATE raw.{table} SET grain = {LEGACY_GRAIN} WHERE grain IS NULL")
    con.execute(
        """CREATE TABLE IF NOT EXISTS raw.customs_revisions (
            period_month VARCHAR, flow VARCHAR, grain VARCHAR, hs8 VARCHAR,
            partner_code VARCHAR, regime_code VARCHAR, location_code VARCHAR,
            old_value_native DOUBLE, new_value_native DOUBLE, old_currency VARCHAR,
            new_currency VARCHAR, old_qty1 DOUBLE, new_qty1 DOUBLE, old_file VARCHAR,
            new_file VARCHAR, old_file_sha256 VARCHAR, new_file_sha256 VARCHAR,
            old_loaded_at TIMESTAMP, new_loaded_at TIMESTAMP)"""
    )
    con.execute(
        """CREATE TABLE IF NOT EXISTS raw.customs_declared_coverage (
            file_sha256 VARCHAR, source_file VARCHAR, period_month VARCHAR, flow VARCHAR,
            grain VARCHAR, code_prefix VARCHAR, loaded_at TIMESTAMP)"""
    )


def signature(path: Path) -> str:
    """Name, size and modification time of a file.

    A file whose signature was seen at load time is the same file, so the full-record
    landing folder is not re-hashed on every run.
    """
    stat = path.stat()
    return f"{path.name}|{stat.st_size}|{stat.st_mtime_ns}"


def known_signatures(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Signatures of the files loaded so far."""
    return {
        r[0]
        for r in con.execute(
            "SELECT signature FROM raw.customs_load_log WHERE signature IS NOT NULL"
        ).fetchall()
    }


def loaded_hashes(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Content hashes of the files loaded so far."""
    return {r[0] for r in con.execute("SELECT file_sha256 FROM raw.customs_load_log").fetchall()}


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """The sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def origin_of(path: Path) -> str:
    """'synthetic' for a generated file (so named), else 'real'."""
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


def next_load_time(con: duckdb.DuckDBPyConnection) -> datetime:
    """Now, or just after the newest load if the clock says otherwise.

    A later file always has a later load time, so "newest file wins" is well defined
    within one run too.
    """
    now = datetime.now(UTC).replace(tzinfo=None)
    last = con.execute("SELECT max(loaded_at) FROM raw.customs_load_log").fetchone()[0]
    return max(now, last + timedelta(microseconds=1)) if last is not None else now


def _revisions_sql() -> str:
    """The keys the rows loaded since ``$since`` revise: a value another file held before.

    Only keys held by more than one file of the stored months can be revised, so those are
    found first by a hash aggregate; each of their rows is then compared with the row of
    the newest earlier file holding the key. A backfill of files that overlap nowhere
    costs one aggregate, whatever its size.
    """
    changed = " OR ".join(f"new_{c} IS DISTINCT FROM old_{c}" for c in _VALUE_COLUMNS)
    key_cols = ", ".join(_KEY_COLUMNS)
    keyed = ", ".join(f"{expr} AS _k{i}" for i, expr in enumerate(KEY))
    keys = ", ".join(f"_k{i}" for i in range(len(KEY)))
    previous = ", ".join(
        f"lag({c}) OVER w AS old_{c}, {c} AS new_{c}"
        for c in (*_VALUE_COLUMNS, "source_file", "file_sha256", "loaded_at")
    )
    return f"""
        WITH slice AS (
            SELECT {key_cols}, {", ".join(_VALUE_COLUMNS)}, source_file, file_sha256,
                   loaded_at, {keyed}
            FROM raw.customs_trade_vintages
            WHERE list_contains($months, period_month)
        ),
        shared AS (
            SELECT {keys} FROM slice GROUP BY ALL
            HAVING count(*) > 1 AND max(loaded_at) >= $since
        ),
        compared AS (
            SELECT {key_cols}, {previous}
            FROM slice SEMI JOIN shared USING ({keys})
            WINDOW w AS (PARTITION BY {keys} ORDER BY loaded_at, file_sha256)
        )
        SELECT {key_cols}, old_value_native, new_value_native, old_currency, new_currency,
               old_qty1, new_qty1, old_source_file, new_source_file, old_file_sha256,
               new_file_sha256, old_loaded_at, new_loaded_at
        FROM compared
        WHERE new_loaded_at >= $since AND old_file_sha256 IS NOT NULL AND ({changed})
    """


def store_vintage(
    con: duckdb.DuckDBPyConnection,
    parsed: ParsedCustomsFile,
    archived: Path,
    in_transaction: bool = False,
) -> int:
    """Append one parsed file as a new vintage (see :func:`store_vintages`)."""
    return store_vintages(con, [(parsed, archived)], in_transaction)[parsed.sha256]


def store_vintages(
    con: duckdb.DuckDBPyConnection,
    files: list[tuple[ParsedCustomsFile, Path]],
    in_transaction: bool = False,
) -> dict[str, int]:
    """Append parsed files as new vintages, in the order given, in one transaction.

    Each file gets its own load time (a later file is newer). Lists the keys they revise
    (compared with every earlier file, those of this call included), records the codes
    their manifests declare, and logs them. Returns the number of revised keys per file.
    """
    cols = [c for c in COLUMN_NAMES if c not in ("loaded_at", "origin", "grain")]
    with transaction(con, in_transaction):
        since = next_load_time(con)
        for i, (parsed, archived) in enumerate(files):
            now = since + timedelta(microseconds=i)
            con.execute(
                f"INSERT INTO raw.customs_trade_vintages ({', '.join(COLUMN_NAMES)}) "
                f"SELECT {', '.join(cols)}, ?::TIMESTAMP, ?, grain FROM {parsed.table}",
                [now, origin_of(parsed.path)],
            )
            _declare(con, parsed, now)
            _log(con, parsed, archived, now)
        months = sorted({m for parsed, _ in files for m in parsed.months})
        con.execute(
            f"INSERT INTO raw.customs_revisions {_revisions_sql()}",
            {"months": months, "since": since},
        )
        revised = dict(
            con.execute(
                "SELECT new_file_sha256, count(*) FROM raw.customs_revisions "
                "WHERE new_loaded_at >= ? GROUP BY ALL",
                [since],
            ).fetchall()
        )
    return {parsed.sha256: revised.get(parsed.sha256, 0) for parsed, _ in files}


def _declare(con: duckdb.DuckDBPyConnection, parsed: ParsedCustomsFile, now: datetime) -> None:
    """The codes a file's manifest says its query asked for, per month."""
    for prefix in parsed.declared_codes or []:
        con.execute(
            "INSERT INTO raw.customs_declared_coverage "
            "SELECT ?, ?, unnest(?::VARCHAR[]), ?, ?, ?, ?",
            [
                parsed.sha256,
                parsed.path.name,
                parsed.months,
                parsed.flow,
                parsed.grain,
                prefix,
                now,
            ],
        )


def _log(
    con: duckdb.DuckDBPyConnection, parsed: ParsedCustomsFile, archived: Path, now: datetime
) -> None:
    """The file's row in the load log."""
    con.execute(
        "INSERT INTO raw.customs_load_log (file_name, file_sha256, flow, currency, "
        "months, rows, total_value_native, archived_path, origin, loaded_at, signature, "
        "grain) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            parsed.path.name,
            parsed.sha256,
            parsed.flow,
            parsed.currency,
            parsed.months,
            parsed.rows,
            parsed.total_value_native,
            str(archived),
            origin_of(parsed.path),
            now,
            signature(parsed.path),
            parsed.grain,
        ],
    )


def replace_current_slice(
    con: duckdb.DuckDBPyConnection, months: list[str], in_transaction: bool = False
) -> int:
    """Rebuild the current rows of these months from the vintages.

    Per key, the row of the newest file holding it. Returns the number of rows now
    current for these months.
    """
    cols = ", ".join(COLUMN_NAMES)
    with transaction(con, in_transaction):
        con.execute(
            "DELETE FROM raw.customs_monthly_trade WHERE list_contains(?, period_month)",
            [months],
        )
        # a slice held by one file (the common case, and a backfill) needs no ranking
        con.execute(
            f"""
            INSERT INTO raw.customs_monthly_trade ({cols})
            WITH slices AS (
                SELECT period_month, flow, grain, count(DISTINCT file_sha256) AS files
                FROM raw.customs_trade_vintages
                WHERE list_contains($months, period_month)
                GROUP BY ALL
            )
            SELECT {", ".join("v." + c for c in COLUMN_NAMES)}
            FROM raw.customs_trade_vintages v
            JOIN slices USING (period_month, flow, grain)
            WHERE slices.files = 1
            UNION ALL
            SELECT {cols} FROM (
                SELECT v.* FROM raw.customs_trade_vintages v
                JOIN slices USING (period_month, flow, grain)
                WHERE slices.files > 1
                QUALIFY row_number() OVER (PARTITION BY {_KEY_SQL}
                                           ORDER BY loaded_at DESC, file_sha256 DESC) = 1
            )
            """,
            {"months": months},
        )
        count = con.execute(
            "SELECT count(*) FROM raw.customs_monthly_trade WHERE list_contains(?, period_month)",
            [months],
        ).fetchall()[0][0]
    return count


def file_accounts(
    con: duckdb.DuckDBPyConnection, shas: list[str], months: list[str]
) -> list[FileAccount]:
    """The account of every newly stored file, after ``replace_current_slice`` of ``months``.

    Its rows, those now current, those of months outside the run (kept as vintages only)
    and those whose key a newer file holds (duplicates; an identical row collapses the
    same way).
    """
    rows = con.execute(
        """
        SELECT v.source_file, v.file_sha256, count(*),
               count(*) FILTER (WHERE NOT list_contains($months, v.period_month)),
               count(*) FILTER (WHERE NOT list_contains($months, v.period_month)
                                AND v.period_month < $start),
               (SELECT count(*) FROM raw.customs_monthly_trade c
                WHERE c.file_sha256 = v.file_sha256)
        FROM raw.customs_trade_vintages v
        WHERE list_contains($shas, v.file_sha256)
        GROUP BY ALL ORDER BY min(v.loaded_at)
        """,
        {"months": months, "shas": shas, "start": WINDOW_START},
    ).fetchall()
    accounts = []
    for name, _sha, read, outside, before, current in rows:
        account = FileAccount("customs", name, rows_read=read, rows_stored=current)
        account.add("outside_window", before)
        account.add("other_run_window", outside - before)
        account.add("duplicate", read - outside - current)
        accounts.append(account)
    return accounts
