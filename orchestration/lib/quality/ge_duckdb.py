"""Great Expectations' own SQL execution engine on the caller's DuckDB connection.

GE 1.24.1 with duckdb-engine fails silently on DuckDB: every expectation comes back
success=False with no observed value (GE issue 11579: ``resolve_metric_bundle`` raises
IndexError). The cause is not an empty metric bundle. ``SqlAlchemyExecutionEngine
.execute_query`` returns the cursor result only after its ``with engine.connect()`` block
has closed the connection; closing rolls back, and duckdb-engine's cursor is the DuckDB
connection itself, so the rollback replaces the pending result and ``fetchall()`` finds
nothing. (PR 11635 only turns the IndexError into a clearer error; PR 12084, a native
DuckDB engine, is unreleased.)

This module registers one SQLAlchemy dialect, ``duckdb+borrowed``: duckdb-engine's
dialect over a DuckDB connection that the caller owns, with begin, commit, rollback and
close left to that owner. That fixes the silent failure (nothing rolls back between a
query and its fetch) and lets GE validate exactly what the caller's connection sees,
including a write audit's staged, uncommitted rows (quality/audit.py).

Two more gaps of GE 1.24.1 for a dialect it does not know are closed here:
- regex: GE finds the regex operator through ``execution_engine.dialect_module``, which
  it sets only for dialects it knows (None here, so "Regex is not supported for dialect
  duckdb"). ``attach`` sets it to ``sqlalchemy.dialects.postgresql``, as GE does for
  PostgreSQL (duckdb-engine's dialect is a PostgreSQL one), so GE writes Postgres'
  ``~``/``!~``. DuckDB reads ``~`` as a full match, unlike Postgres and GE's pandas engine
  (a search), so this dialect's compiler writes them as ``regexp_matches``.
- compound uniqueness: GE joins rows to their key's count with ``=``, which drops keys
  holding a NULL (their duplicates pass); the compiler makes that join null-safe.

Every expectation kind the suites use is proven to fail on a crafted row and pass on clean
rows in tests/quality/test_ge_duckdb.py, which also fails when a GE release changes the
behaviour worked around here (so the shim can go).
"""

import contextvars

import duckdb
from duckdb_engine import ConnectionWrapper
from duckdb_engine import Dialect as DuckDBDialect
from sqlalchemy.dialects import registry
from sqlalchemy.sql import operators

DRIVER = "duckdb+borrowed"

# the DuckDB connection GE's engine is to use, set around one validation (``borrow``)
_current: contextvars.ContextVar[duckdb.DuckDBPyConnection | None] = contextvars.ContextVar(
    "chokepoint_ge_duckdb_connection", default=None
)


# the alias GE 1.24.1 gives the group counts of ExpectCompoundColumnsToBeUnique on SQL
_GE_GROUP_COUNTS = "group_counts_subquery"


class _Compiler(DuckDBDialect.statement_compiler):
    def visit_custom_op_binary(self, element, operator, **kw):
        # GE writes a regex condition as Postgres' ``col ~ 'pattern'`` (a search); DuckDB
        # reads ``~`` as a full match, so write the search DuckDB has.
        if operator.opstring in ("~", "!~"):
            text = (
                f"regexp_matches({self.process(element.left, **kw)}, "
                f"{self.process(element.right, **kw)})"
            )
            return text if operator.opstring == "~" else f"NOT {text}"
        return super().visit_custom_op_binary(element, operator, **kw)

    def visit_binary(self, binary, **kw):
        # GE's compound-uniqueness query joins each row to its key's group count with
        # ``=`` on every key column, so a row whose key has a NULL (a commodity-grain
        # customs file has no partner) joins nothing and its duplicates pass unseen;
        # GE's pandas engine counts them. Join that query null-safely.
        left, right = binary.left, binary.right
        if (
            binary.operator is operators.eq
            and getattr(getattr(left, "table", None), "name", "") == _GE_GROUP_COUNTS
        ):
            return f"{self.process(left, **kw)} IS NOT DISTINCT FROM {self.process(right, **kw)}"
        return super().visit_binary(binary, **kw)


class BorrowedDuckDBDialect(DuckDBDialect):
    """duckdb-engine over the caller's open DuckDB connection.

    The caller owns the connection and its transaction: SQLAlchemy's begin, commit,
    rollback and close are no-ops, so a pooled connection's reset cannot discard a
    pending result (GE issue 11579) or the caller's staged writes.
    """

    name = "duckdb"
    driver = "borrowed"
    statement_compiler = _Compiler
    supports_statement_cache = False

    def connect(self, *cargs, **cparams):
        """The lent connection, wrapped as a DB-API connection."""
        con = _current.get()
        if con is None:
            raise RuntimeError(
                "duckdb+borrowed: no DuckDB connection lent (use ge_duckdb.borrow(con))"
            )
        return ConnectionWrapper(con)

    def do_begin(self, dbapi_connection) -> None:
        """No-op: the caller owns the transaction."""

    def do_commit(self, dbapi_connection) -> None:
        """No-op: the caller owns the transaction."""

    def do_rollback(self, dbapi_connection) -> None:
        """No-op: the caller owns the transaction."""

    def do_close(self, dbapi_connection) -> None:
        """No-op: the caller owns the connection."""


registry.register("duckdb.borrowed", __name__, "BorrowedDuckDBDialect")


class borrow:  # noqa: N801 - used as a context manager, like contextlib's
    """Lend ``con`` to the ``duckdb+borrowed`` dialect for the block."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        """Remember the connection to lend."""
        self.con = con

    def __enter__(self):
        """Lend the connection."""
        self._token = _current.set(self.con)
        return self.con

    def __exit__(self, *exc):
        """Take the connection back."""
        _current.reset(self._token)


def engine_kwargs() -> dict:
    """``create_engine`` arguments for GE's SQL data source.

    No pool: a connection per ``connect()``, each one a wrapper of the lent connection.
    """
    from sqlalchemy.pool import NullPool

    return {"poolclass": NullPool}


def attach(execution_engine) -> None:
    """Give GE's engine the dialect module it looks regex support (and types) up in."""
    from sqlalchemy.dialects import postgresql

    execution_engine.dialect_module = postgresql
