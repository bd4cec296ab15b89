"""UN Comtrade ingestion: hand-downloaded files in landing/comtrade, or the API."""

import os

import dagster as dg
import pandas as pd

from orchestration.defs.comtrade.files import read_comtrade_file
from orchestration.defs.partitions import annual_partitions, year_keys
from orchestration.defs.resources import WarehouseResource
from orchestration.settings import Settings

COMTRADE_KEY = dg.AssetKey(["raw", "comtrade_annual_flows"])
FILE_SUFFIXES = (".csv", ".txt", ".gz", ".json", ".tsv")


def _from_files(settings: Settings, years: list[int]) -> pd.DataFrame:
    frames = []
    for path in sorted(settings.landing("comtrade").iterdir()):
        if path.is_file() and path.name.lower().endswith(FILE_SUFFIXES):
            df = read_comtrade_file(path)
            df = df[df["year"].isin(years)]
            if "synthetic" in path.name.lower():
                df = df.assign(origin="synthetic")
            frames.append(df.assign(source_file=path.name))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


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
    df = _from_files(settings, years)
    if os.environ.get("CHOKEPOINT_COMTRADE_SOURCE", "files").lower() == "api":
        api = _from_api(settings, years, context.log)
        df = pd.concat([df, api], ignore_index=True) if len(df) else api
    key = ["year", "reporter_code", "partner_code", "flow", "hs6", "classification_code"]
    if len(df):
        # A record that arrives twice (a file and the API, two downloads) counts once:
        # the newest vintage wins.
        df = df.sort_values("vintage", na_position="first").drop_duplicates(key, keep="last")
    with warehouse.connect() as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS raw")
        if len(df):
            con.register("incoming", df)
            con.execute(
                "CREATE TABLE IF NOT EXISTS raw.comtrade_annual_flows AS "
                "SELECT * FROM incoming LIMIT 0"
            )
        exists = con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema='raw' AND table_name='comtrade_annual_flows'"
        ).fetchall()[0][0]
        if exists:
            con.execute("BEGIN TRANSACTION")
            con.execute("DELETE FROM raw.comtrade_annual_flows WHERE list_contains(?, year)",
                        [years])
            if len(df):
                con.execute("INSERT INTO raw.comtrade_annual_flows BY NAME SELECT * FROM incoming")
            con.execute("COMMIT")
    origins = sorted(df["origin"].unique()) if len(df) else []
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": dg.MetadataValue.int(len(df)),
            "years": dg.MetadataValue.text(f"{years[0]}..{years[-1]}"),
            "origin": dg.MetadataValue.text(", ".join(origins) or "none"),
        }
    )
