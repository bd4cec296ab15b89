"""Suites as data: the expectations and SQL rules of one table, with no Dagster in them.

A suite names its table (``schema.table``, which is also its asset key), the columns its
expectations read, and the column that holds the run's partitions. SQL rules live in
``.sql`` files beside the suite that uses them (loaded with :func:`load_sql`) and take
their values as named DuckDB parameters (``$months``, ``$low``), never by formatting.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestration.lib.quality.ge_runner import Expectation


def load_sql(folder: Path, name: str) -> str:
    """The text of ``folder/name.sql`` (the query returns the offending rows)."""
    return (folder / f"{name}.sql").read_text(encoding="utf-8")


@dataclass(frozen=True)
class SqlRule:
    """A rule over the whole table, evaluated in DuckDB: the query returns offending rows.

    ``params`` gives the query's named parameters from the run's partition keys (a list
    of months or years); a rule that uses none leaves it out.
    """

    name: str
    sql: str
    threshold: str
    severity: str = "error"
    params: Callable[[list], dict[str, Any]] | None = None

    def parameters(self, keys: list) -> dict[str, Any]:
        """The named parameters of one evaluation, for the run's partition keys."""
        return self.params(keys) if self.params else {}


@dataclass(frozen=True)
class Suite:
    """The expectations and SQL rules of one table.

    ``partition_column`` holds the run's partitions (months 'YYYY-MM' when
    ``partition_kind`` is "month", else years); a partitioned suite validates only the
    run's slice and checks that no row lies outside it. ``summary_sql`` lists rows per
    partition for the check's metadata (a query with the parameter ``$months``).
    """

    name: str
    table: str
    columns: tuple[str, ...]
    expectations: tuple[Expectation, ...]
    rules: tuple[SqlRule, ...] = ()
    partition_column: str | None = None
    partition_kind: str = "year"
    # columns that locate an offending row for the reader (month, code, file, line)
    id_columns: tuple[str, ...] = ()
    summary_sql: str | None = field(default=None, repr=False)

    @property
    def partitioned(self) -> bool:
        """Whether the suite validates the run's partitions only."""
        return self.partition_column is not None

    def select(self, keys: list) -> str:
        """The slice to validate as one SELECT.

        GE's query asset takes no parameters, so the partition keys (Dagster's own months
        or years) are written in as literals.
        """
        query = f"SELECT {', '.join(self.columns)} FROM {self.table}"
        if not self.partitioned or not keys:
            return query
        listed = ", ".join(_sql_literal(v) for v in keys)
        return f"{query} WHERE list_contains([{listed}], {self.partition_column})"

    def labels(self) -> list[str]:
        """Every rule's short label: expectations first, then SQL rules."""
        return [e.label for e in self.expectations] + [r.name for r in self.rules]


def _sql_literal(value) -> str:
    return str(int(value)) if isinstance(value, int) else "'" + str(value).replace("'", "''") + "'"
