"""``chokepoint revert``.

Put the customs tables back as they were at a moment, from the vintages already kept, then rebuild
what is downstream.

Every customs file ever loaded stays in ``raw.customs_trade_vintages``. Reverting to a
time T sets aside the rows of every file loaded after T (they move to
``raw.customs_reverted_vintages`` with the time of the revert, nothing is deleted), drops
the revisions those files made, and rebuilds the current rows of the months they touched
from the files that remain. The files stay in the load log, marked reverted, so the next
run does not load them again; to take one back, drop it in again under a new name.
Comtrade and GDP are replaced whole from their files and sources on every load, so a
revert of those is a run on the corrected files.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from orchestration.lib.customs import store


@dataclass
class Reverted:
    """What a revert set aside: the cutoff, the files and the months rebuilt."""

    cutoff: datetime
    files: list[str]
    months: list[str]


def cutoff_of_run(run_id: str) -> datetime:
    """The end of a run of the instance: what it loaded stays, later loads go."""
    import dagster as dg

    instance = dg.DagsterInstance.get()
    record = instance.get_run_record_by_id(run_id)
    if record is None:
        raise SystemExit(f"--to {run_id}: no such run in {instance.root_directory}")
    end = record.end_time or record.create_timestamp.timestamp()
    return datetime.fromtimestamp(end, UTC).replace(tzinfo=None)


def revert_customs(con: duckdb.DuckDBPyConnection, cutoff: datetime) -> Reverted:
    """Set aside the files loaded after ``cutoff`` and rebuild their months.

    All in one transaction.
    """
    store.ensure_tables(con)
    con.execute(
        "CREATE TABLE IF NOT EXISTS raw.customs_reverted_vintages AS "
        "SELECT *, NULL::TIMESTAMP AS reverted_at FROM raw.customs_trade_vintages "
        "LIMIT 0"
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    with store.transaction(con):
        files = con.execute(
            "SELECT file_sha256, file_name FROM raw.customs_load_log "
            "WHERE loaded_at > ? AND reverted_at IS NULL ORDER BY loaded_at",
            [cutoff],
        ).fetchall()
        shas = [sha for sha, _ in files]
        months = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT period_month FROM raw.customs_trade_vintages "
                "WHERE list_contains(?, file_sha256) ORDER BY 1",
                [shas],
            ).fetchall()
        ]
        con.execute(
            "INSERT INTO raw.customs_reverted_vintages SELECT *, ? FROM "
            "raw.customs_trade_vintages WHERE list_contains(?, file_sha256)",
            [now, shas],
        )
        con.execute(
            "DELETE FROM raw.customs_trade_vintages WHERE list_contains(?, file_sha256)", [shas]
        )
        con.execute(
            "DELETE FROM raw.customs_revisions WHERE list_contains(?, new_file_sha256)", [shas]
        )
        con.execute(
            "UPDATE raw.customs_load_log SET reverted_at = ? WHERE list_contains(?, file_sha256)",
            [now, shas],
        )
        if months:
            store.replace_current_slice(con, months, in_transaction=True)
    return Reverted(cutoff=cutoff, files=[name for _, name in files], months=months)
