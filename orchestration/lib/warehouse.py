"""Writing the warehouse safely: one transaction, whole partitions, read-only readers.

A bad input must leave every table exactly as it was, so every write that replaces data
goes through :func:`transaction`, and partitions are replaced by :func:`replace_partitions`
(delete and insert in one transaction, rolled back on any error).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection, inside: bool = False) -> Iterator[None]:
    """Run the block in one transaction, rolled back on any error.

    With ``inside=True`` the caller already holds a transaction (write, audit, publish)
    and decides whether it commits.
    """
    if inside:
        yield
        return
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def replace_partitions(
    con: duckdb.DuckDBPyConnection,
    table: str,
    column: str,
    values: Sequence[object],
    select_sql: str,
    params: Sequence[object] = (),
    inside: bool = False,
) -> int:
    """Replace the rows of ``table`` whose ``column`` is in ``values`` by ``select_sql``.

    Both steps run in one transaction, so a reader sees either the old partitions or the
    new ones, never none. Returns the number of rows inserted.
    """
    with transaction(con, inside):
        con.execute(f"DELETE FROM {table} WHERE list_contains(?, {column})", [list(values)])
        con.execute(f"INSERT INTO {table} BY NAME {select_sql}", list(params))
        inserted = con.execute(
            f"SELECT count(*) FROM {table} WHERE list_contains(?, {column})", [list(values)]
        ).fetchone()[0]
    return int(inserted)


def connect_read_only(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A connection that cannot write: for checks, reports, status and BI-style reads."""
    return duckdb.connect(str(path), read_only=True)
