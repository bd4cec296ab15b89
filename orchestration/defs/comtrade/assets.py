"""UN Comtrade ingestion: hand-downloaded files in landing/comtrade, or the API."""

import gzip
import os
from pathlib import Path

import dagster as dg
import pandas as pd

from orchestration.defs.comtrade.bulk_duckdb import load_bulk_file
from orchestration.defs.comtrade.files import read_comtrade_file
from orchestration.defs.comtrade.records import KEY, schema_sql
from orchestration.defs.partition_metadata import describe_partitions
from orchestration.defs.partitions import annual_partitions, year_keys
from orchestration.defs.resources import WarehouseResource
from orchestration.settings import Settings

COMTRADE_KEY = dg.AssetKey(["raw", "comtrade_annual_flows"])
FILE_SUFFIXES = (".csv", ".txt", ".gz", ".json", ".tsv")


def _first_line(path: Path) -> str:
    opener = gzip.open if path.read_bytes()[:2] == b"\x1f\x8b" else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
        return fh.readline()


def _is_bulk_layout(path: Path) -> bool:
    """API/bulk CSV or TSV (streamed through DuckDB); JSON records and the legacy CSV
    layout are small and go through the pandas reader."""
    if path.name.lower().removesuffix(".gz").endswith(".json"):
        return False
    return "Trade Value (US$)" not in _first_line(path)


def _load_files(con, settings: Settings, years: list[int], table: str) -> list[str]:
    loaded = []
    for path in sorted(settings.landing("comtrade").iterdir()):
        if not (path.is_file() and path.name.lower().endswith(FILE_SUFFIXES)):
            continue
        if _is_bulk_layout(path):
            load_bulk_file(con, path, table, years=years)
        else:
            df = read_comtrade_file(path)
            df = df[df["year"].isin(years)]
            con.register("incoming_df", df)
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming_df").fetchall()
            con.unregister("incoming_df")
        loaded.append(path.name)
    return loaded


def _from_api(settings: Settings, years: list[int], log) -> pd.DataFrame:
    from orchestration.defs.comtrade.api import ComtradeConnector, NotAvailable, indicator_queries

    connector = ComtradeConnector(
        cache_dir=settings.landing("comtrade") / "_api_cache",
        base_url=os.environ.get("COMTRADE_BASE_URL") or None,
    )
    frames = []
    for year in years:
        for query in indicator_queries(year):
            result = connector.fetch(year, **query)
            if isinstance(result, NotAvailable):
                log.warning(f"Comtrade {year}: not yet published ({result}); nothing stored")
                break
            frames.append(result.assign(source_file="api"))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


@dg.asset(
    key=COMTRADE_KEY,
    group_name="comtrade",
    partitions_def=annual_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    kinds={"duckdb", "python"},
    description=(
        "UN Comtrade annual HS6 flows (partner2 World, customs C00, transport 0), from "
        "files in landing/comtrade (bulk, API records, legacy CSV) and, when "
        "CHOKEPOINT_COMTRADE_SOURCE=api, from the Comtrade API. Each year is replaced whole."
    ),
)
def comtrade_annual_flows(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    settings = Settings.from_env()
    years = year_keys(context)
    key = ", ".join(KEY)
    with warehouse.connect() as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS raw")
        con.execute(schema_sql("raw.comtrade_annual_flows")).fetchall()
        con.execute(schema_sql("incoming_ct").replace("CREATE TABLE", "CREATE TEMP TABLE"))
        files = _load_files(con, settings, years, "incoming_ct")
        if os.environ.get("CHOKEPOINT_COMTRADE_SOURCE", "files").lower() == "api":
            api = _from_api(settings, years, context.log)
            if len(api):
                con.register("incoming_api", api)
                con.execute("INSERT INTO incoming_ct BY NAME SELECT * FROM incoming_api")
        # A record that arrives twice (two downloads, a file and the API) counts once:
        # the newest vintage wins.
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM raw.comtrade_annual_flows WHERE list_contains(?, year)",
                    [years])
        con.execute(f"""INSERT INTO raw.comtrade_annual_flows BY NAME
            SELECT * FROM incoming_ct
            QUALIFY row_number() OVER (PARTITION BY {key}
                                       ORDER BY vintage DESC NULLS LAST) = 1""")
        con.execute("COMMIT")
        describe_partitions(context, con, "raw.comtrade_annual_flows", "year", "source")
    context.log.info(f"read {len(files)} files: {', '.join(files)}")
    return dg.MaterializeResult()
