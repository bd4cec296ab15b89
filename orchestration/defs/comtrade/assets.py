"""UN Comtrade ingestion: hand-downloaded files in landing/comtrade, or the API."""

import dagster as dg
import pandas as pd

from orchestration.defs import accounting as file_checks
from orchestration.defs.comtrade.checks import check_spec
from orchestration.defs.partition_metadata import describe_partitions
from orchestration.defs.partitions import annual_partitions, year_keys
from orchestration.defs.quality.audit import write_audit_publish
from orchestration.defs.resources import ComtradeSourceResource, WarehouseResource
from orchestration.lib import accounting
from orchestration.lib.accounting import FileAccount
from orchestration.lib.comtrade.files import load_comtrade_file
from orchestration.lib.comtrade.records import KEY, schema_sql
from orchestration.lib.comtrade.reporters import known as known_reporters
from orchestration.lib.warehouse import replace_partitions, transaction
from orchestration.settings import Settings

COMTRADE_KEY = dg.AssetKey(["raw", "comtrade_annual_flows"])
FILE_SUFFIXES = (".csv", ".txt", ".gz", ".json", ".tsv")


def _load_files(con, settings: Settings, years: list[int], table: str) -> list[FileAccount]:
    """Insert each landing file's rows of ``years`` into ``table``; one account per file.

    Its cross-file duplicates and unknown reporters are counted by ``ingest``.
    """
    accounts = []
    for path in sorted(settings.landing("comtrade").iterdir()):
        if not (path.is_file() and path.name.lower().endswith(FILE_SUFFIXES)):
            continue
        tally: dict[str, int] = {}
        # every layout (bulk, API CSV or JSON, legacy CSV) goes through the same SQL
        load_comtrade_file(con, path, table, years=years, tally=tally)
        # which file each row came from, so a conflict names both files
        con.execute(f"UPDATE {table} SET source_file = ? WHERE source_file IS NULL", [path.name])
        account = FileAccount("comtrade", path.name, rows_read=tally.pop("read", 0))
        for reason, n in tally.items():
            account.add(reason, n)
        accounts.append(account)
    return accounts


def _set_aside_unknown_reporters(con, settings: Settings, accounts: list[FileAccount]) -> None:
    codes, isos = known_reporters(settings.reference_dir)
    where = (
        "NOT (list_contains(?::INTEGER[], reporter_code) "
        "OR coalesce(list_contains(?::VARCHAR[], reporter_iso3), false))"
    )
    params = [sorted(codes), sorted(isos)]
    counts = dict(
        con.execute(
            f"SELECT source_file, count(*) FROM incoming_ct WHERE {where} GROUP BY ALL", params
        ).fetchall()
    )
    con.execute(f"DELETE FROM incoming_ct WHERE {where}", params)
    for account in accounts:
        account.add("unknown_reporter", counts.get(account.file_name, 0))


def _count_stored(con, accounts: list[FileAccount]) -> None:
    """Rows each file contributes after the dedup.

    The others are duplicates of a row of another file (an older vintage, or the same
    record in a file named earlier).
    """
    rows = con.execute(
        "SELECT source_file, cmd_level, count(*) FILTER (WHERE chosen), count(*) FROM ("
        "SELECT source_file, cmd_level, row_number() OVER (PARTITION BY "
        f"{', '.join(KEY)} ORDER BY vintage DESC NULLS LAST, source_file, source) = 1 "
        "AS chosen FROM incoming_ct) GROUP BY ALL"
    ).fetchall()
    by_file = {a.file_name: a for a in accounts}
    for name, level, chosen, inserted in rows:
        account = by_file[name]
        account.rows_stored += int(chosen)
        if level != "HS6" and chosen:
            account.stored_levels[level] = int(chosen)
        account.add("duplicate", int(inserted) - int(chosen))


class ConflictingRecords(ValueError):
    """The same Comtrade record with two values and no newer vintage to choose by."""


# A record that arrives twice (two downloads, a file and the API) counts once; a newer
# vintage replaces an older one (a revision). The same record with another value and the
# same vintage is refused, never settled by whichever row the engine reads first.
_CONFLICTS_SQL = """
    SELECT {key}, vintage, list(DISTINCT primary_value_usd ORDER BY primary_value_usd),
           list(DISTINCT source_file ORDER BY source_file)
    FROM incoming_ct
    GROUP BY {key}, vintage
    HAVING count(DISTINCT primary_value_usd) > 1
    ORDER BY ALL
    LIMIT 5
"""
_DEDUP_SQL = """
    SELECT * EXCLUDE (source_file) FROM incoming_ct
    QUALIFY row_number() OVER (
        PARTITION BY {key}
        ORDER BY vintage DESC NULLS LAST, source_file, source) = 1
"""


def check_conflicts(con, key: list[str]) -> None:
    """Raise ConflictingRecords naming the record, its values and the files."""
    rows = con.execute(_CONFLICTS_SQL.format(key=", ".join(key))).fetchall()
    if not rows:
        return
    lines = []
    for row in rows:
        record = dict(zip([*key, "vintage"], row[: len(key) + 1], strict=True))
        lines.append(f"{record}: primary values {row[-2]} in {row[-1]}")
    raise ConflictingRecords(
        "landing/comtrade: the same record (year, period, reporter, partner, flow, code, "
        "classification) has different values and the same vintage, so neither can be "
        "taken as the revision of the other; remove one of the files or give them their "
        "publication dates in the file name:\n  " + "\n  ".join(lines)
    )


def _from_api(connector, years: list[int], log) -> pd.DataFrame:
    from orchestration.lib.comtrade.api import NotAvailable, indicator_queries

    frames = []
    for year in years:
        for query in indicator_queries(year):
            result = connector.fetch(year, **query)
            if isinstance(result, NotAvailable):
                log.warning(f"Comtrade {year}: not yet published ({result}); nothing stored")
                break
            frames.append(result.assign(source_file="api"))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def ingest(
    con,
    settings: Settings,
    years: list[int],
    api: pd.DataFrame | None = None,
    publish=None,
    run_id: str | None = None,
) -> list[FileAccount]:
    """Replace the given years of raw.comtrade_annual_flows.

    From the landing files (and API records): one row per record, a newer vintage
    replacing an older one, a conflict refused (ConflictingRecords) before anything is
    written. ``publish(write)`` runs the write (default: in its own transaction; the
    asset audits it before it commits). Returns one account per file read: rows read,
    stored, and set aside by reason.
    """
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(schema_sql("raw.comtrade_annual_flows")).fetchall()
    # warehouses from before HS4 and TOTAL rows were marked: they held HS6 and TOTAL only
    con.execute("ALTER TABLE raw.comtrade_annual_flows ADD COLUMN IF NOT EXISTS cmd_level VARCHAR")
    con.execute(
        "UPDATE raw.comtrade_annual_flows SET cmd_level = CASE WHEN hs6 = 'TOTAL' "
        "THEN 'TOTAL' ELSE 'HS6' END WHERE cmd_level IS NULL"
    )
    con.execute("DROP TABLE IF EXISTS incoming_ct")
    con.execute(schema_sql("incoming_ct").replace("CREATE TABLE", "CREATE TEMP TABLE"))
    con.execute("ALTER TABLE incoming_ct ADD COLUMN source_file VARCHAR")
    files = _load_files(con, settings, years, "incoming_ct")
    if api is not None and len(api):
        con.register("incoming_api", api)
        con.execute("INSERT INTO incoming_ct BY NAME SELECT * FROM incoming_api")
        con.unregister("incoming_api")
        files.append(FileAccount("comtrade", "api", rows_read=len(api)))
    _set_aside_unknown_reporters(con, settings, files)
    check_conflicts(con, KEY)
    _count_stored(con, files)

    def write() -> None:
        # inside: the caller's transaction (below, or the audit's) decides the commit
        replace_partitions(
            con,
            "raw.comtrade_annual_flows",
            "year",
            years,
            _DEDUP_SQL.format(key=", ".join(KEY)),
            inside=True,
        )
        accounting.record(con, files, run_id, (str(min(years)), str(max(years))))

    if publish is None:
        with transaction(con):
            write()
    else:
        publish(write)
    return files


@dg.asset(
    key=COMTRADE_KEY,
    group_name="comtrade",
    partitions_def=annual_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    kinds={"duckdb", "python"},
    description=(
        "UN Comtrade annual flows (partner2 World, customs C00, transport 0) at HS6, with "
        "HS4, HS2 and TOTAL records marked by cmd_level, from files in landing/comtrade "
        "(bulk, API records, legacy CSV) and, when CHOKEPOINT_COMTRADE_SOURCE=api, from the "
        "Comtrade API. Each year is replaced whole, after its audit passes; every file's "
        "rows read, stored and set aside by reason go to raw.file_load_log."
    ),
    check_specs=[
        check_spec("comtrade_annual_flows", COMTRADE_KEY),
        file_checks.check_spec(COMTRADE_KEY),
    ],
)
def comtrade_annual_flows(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    comtrade_source: ComtradeSourceResource,
):
    """Load the partition's years from landing/comtrade (and the API), audited."""
    settings = Settings.from_env()
    years = year_keys(context)
    with warehouse.connect() as con:
        api = None
        if comtrade_source.uses_api:
            # the key reaches the client from the resource's EnvVar, never from config
            connector = comtrade_source.connector(settings.landing("comtrade") / "_api_cache")
            api = _from_api(connector, years, context.log)
        results: list = []
        refused: list[dg.Failure] = []

        def publish(write) -> None:
            try:
                for result in write_audit_publish(context, con, "comtrade_annual_flows", write):
                    results.append(result)
            except dg.Failure as failure:
                refused.append(failure)

        files = ingest(con, settings, years, api, publish=publish, run_id=context.run_id)
        yield from results
        if refused:
            raise refused[0]
        describe_partitions(context, con, "raw.comtrade_annual_flows", "year", "source")
    for account in files:
        context.log.info(account.line())
        if account.warning():
            context.log.warning(account.warning())
    yield file_checks.check_result(COMTRADE_KEY, files)
    yield dg.MaterializeResult()
