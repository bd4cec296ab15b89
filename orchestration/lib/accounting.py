"""Every row of every landed file accounted for: read, stored, or set aside for a reason.

A file whose rows are all dropped must not pass unseen (a user cannot otherwise tell a
file that was used from one that was ignored). Each ingestion asset records one
:class:`FileAccount` per file it read in ``raw.file_load_log``; the run report, the
asset's non-blocking ``every_file_used`` check and ``chokepoint status`` read it.

``rows_read`` always equals ``rows_stored`` plus the set-aside counts (:data:`REASONS`);
:func:`record` refuses an account that does not add up, so a new filter cannot drop rows
silently. Rows stored at a level other than HS6 (a reporter's TOTAL, an HS4 heading) are
stored, not set aside, and counted by level in ``stored_levels``.

The asset check that reports these accounts is in ``orchestration/lib/accounting.py``.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

TABLE = "raw.file_load_log"
# Why a row of a landed file is not stored, in the order the filters apply.
REASONS: dict[str, str] = {
    "breakdown": "breakdown rows (partner2, customs procedure or transport mode)",
    "other_flow": "other flows (re-exports, re-imports)",
    "other_series": "other series (another WEO concept than GDP in USD)",
    "other_level": "aggregate level not used (codes of no HS level, country groups)",
    "no_value": "no value (a blank cell)",
    "outside_window": "outside the window (before the analysis starts)",
    # rows the run did not ask for: kept (customs vintages) or loaded by a run that does
    "other_run_window": "outside this run's window",
    "unknown_reporter": "unknown reporter",
    "duplicate": "duplicate of a row in another file (or the same file)",
}
# Rows stored at a level other than HS6 (read on their own, see README "what is used")
LEVELS = ("TOTAL", "HS2", "HS4")
CHECK_NAME = "every_file_used"


@dataclasses.dataclass
class FileAccount:
    """One file's rows: read, stored, and set aside by reason."""

    source: str  # customs, comtrade, gdp
    file_name: str
    rows_read: int = 0
    rows_stored: int = 0
    set_aside: dict[str, int] = dataclasses.field(default_factory=dict)
    # of rows_stored, those at TOTAL, HS2 or HS4 level (used at that level)
    stored_levels: dict[str, int] = dataclasses.field(default_factory=dict)

    def add(self, reason: str, n: int = 1) -> None:
        """Count ``n`` rows set aside for ``reason`` (one of :data:`REASONS`)."""
        if reason not in REASONS:
            raise ValueError(f"unknown reason {reason!r}; one of {list(REASONS)}")
        if n:
            self.set_aside[reason] = self.set_aside.get(reason, 0) + int(n)

    @property
    def adds_up(self) -> bool:
        """Whether every row read is stored or set aside for a reason."""
        return self.rows_read == self.rows_stored + sum(self.set_aside.values())

    @property
    def main_reason(self) -> str | None:
        """The reason that set aside the most rows (None when nothing was set aside)."""
        if not any(self.set_aside.values()):
            return None
        return max(REASONS, key=lambda r: (self.set_aside.get(r, 0), -list(REASONS).index(r)))

    @property
    def nothing_stored(self) -> bool:
        """Whether no row of the file was stored."""
        return self.rows_stored == 0

    def line(self) -> str:
        """One line of the run report and of ``chokepoint status``."""
        text = f"{self.file_name}: read {self.rows_read:,}, stored {self.rows_stored:,}"
        levels = [f"{self.stored_levels[lv]:,} {lv}" for lv in LEVELS if self.stored_levels.get(lv)]
        if levels:
            text += f" ({', '.join(levels)})"
        aside = [
            f"{REASONS[r].split(' (')[0]} {self.set_aside[r]:,}"
            for r in REASONS
            if self.set_aside.get(r)
        ]
        if aside:
            text += "; set aside: " + ", ".join(aside)
        return text

    def warning(self) -> str | None:
        """The warning for a file with nothing stored, or None.

        None too when only because the run asked for other months (its rows are there
        for a run that asks for them).
        """
        if not self.nothing_stored:
            return None
        why = self.main_reason
        if why == "other_run_window":
            return None
        return (
            f"{self.source} file {self.file_name}: nothing stored of {self.rows_read:,} "
            f"rows; main reason: {REASONS[why] if why else 'the file holds no rows'}"
        )


def ensure_table(con) -> None:
    """Create the load log when it does not exist."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    cols = ", ".join(f"{r} BIGINT" for r in REASONS)
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} (source VARCHAR, file_name VARCHAR, "
        "run_id VARCHAR, loaded_at TIMESTAMP, window_start VARCHAR, window_end VARCHAR, "
        "rows_read BIGINT, rows_stored BIGINT, "
        + ", ".join(f"stored_{lv.lower()} BIGINT" for lv in LEVELS)
        + f", {cols})"
    )


def record(con, accounts: list[FileAccount], run_id: str | None, window: tuple[str, str]) -> None:
    """Append the accounts of one load; raise ValueError for one that does not add up."""
    for a in accounts:
        if not a.adds_up:
            raise ValueError(
                f"{a.source} file {a.file_name}: {a.rows_read} rows read but "
                f"{a.rows_stored} stored and {a.set_aside} set aside: rows unaccounted for"
            )
    ensure_table(con)
    now = datetime.now(UTC).replace(tzinfo=None)
    for a in accounts:
        con.execute(
            f"INSERT INTO {TABLE} VALUES ({', '.join(['?'] * (8 + len(LEVELS) + len(REASONS)))})",
            [
                a.source,
                a.file_name,
                run_id,
                now,
                window[0],
                window[1],
                a.rows_read,
                a.rows_stored,
                *(a.stored_levels.get(lv, 0) for lv in LEVELS),
                *(a.set_aside.get(r, 0) for r in REASONS),
            ],
        )


def _from_row(row) -> FileAccount:
    source, name, read, stored, *rest = row
    levels, aside = rest[: len(LEVELS)], rest[len(LEVELS) :]
    return FileAccount(
        source,
        name,
        int(read),
        int(stored),
        {r: int(n) for r, n in zip(REASONS, aside, strict=True) if n},
        {lv: int(n) for lv, n in zip(LEVELS, levels, strict=True) if n},
    )


_COLUMNS = ", ".join(
    [
        "source",
        "file_name",
        "rows_read",
        "rows_stored",
        *(f"stored_{lv.lower()}" for lv in LEVELS),
        *REASONS,
    ]
)


def of_runs(con, run_ids: list[str]) -> list[FileAccount]:
    """The accounts the given runs recorded, in load order."""
    return [
        _from_row(r)
        for r in con.execute(
            f"SELECT {_COLUMNS} FROM {TABLE} WHERE list_contains(?, run_id) "
            "ORDER BY loaded_at, source, file_name",
            [run_ids],
        ).fetchall()
    ]


def latest(con) -> list[FileAccount]:
    """Per source and file, the account of its latest load."""
    return [
        _from_row(r)
        for r in con.execute(
            f"SELECT {_COLUMNS} FROM {TABLE} QUALIFY row_number() OVER (PARTITION BY source, "
            "file_name ORDER BY loaded_at DESC) = 1 ORDER BY source, file_name"
        ).fetchall()
    ]
