"""GDP (IMF WEO by default, World Bank by setting) and CNY per USD (FRED)."""

import dagster as dg
import pandas as pd

from orchestration.defs import accounting as file_checks
from orchestration.defs.gdp.checks import check_spec
from orchestration.defs.partition_metadata import describe_partitions
from orchestration.defs.partitions import annual_partitions, year_keys
from orchestration.defs.quality.audit import write_audit_publish
from orchestration.defs.resources import WarehouseResource
from orchestration.lib import accounting
from orchestration.lib.gdp.sources import (
    fetch_worldbank_gdp,
    read_fred_fx_monthly,
    read_weo_gdp,
)
from orchestration.settings import FIRST_YEAR, Settings

GDP_KEY = dg.AssetKey(["raw", "gdp_annual"])
FX_KEY = dg.AssetKey(["raw", "fx_monthly"])
WEO_FILE = "gdp/weo_2025oct_all_countries_ngdpd_ngdp.csv"
FRED_MONTHLY_FILE = "fx/fred_monthly.csv"


def _replacer(con, table: str, df: pd.DataFrame, where: str, params: list):
    """The staged write of a GDP or FX table.

    The staged write: the rows of ``where`` replaced by ``df`` (inside the audit's
    transaction).
    """
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.register("incoming", df)
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} AS SELECT * FROM incoming LIMIT 0")

    def write() -> None:
        con.execute(f"DELETE FROM {table} WHERE {where}", params)
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming")

    return write


@dg.asset(
    key=GDP_KEY,
    group_name="gdp",
    partitions_def=annual_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    kinds={"duckdb", "python"},
    check_specs=[check_spec("gdp_annual", GDP_KEY), file_checks.check_spec(GDP_KEY)],
    description=(
        "GDP in current USD per economy and year. Offline default: the bundled IMF World "
        "Economic Outlook (October 2025). CHOKEPOINT_GDP_SOURCE=worldbank reads the World "
        "Bank API (NY.GDP.MKTP.CD). One vintage at a time, recorded on every row."
    ),
)
def gdp_annual(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Load the GDP of the run's years, write-audit-publish, with the file's account."""
    settings = Settings.from_env()
    years = year_keys(context)
    tally: dict[str, int] = {}
    # from the settings, not a resource: callers materialize this asset with the
    # warehouse alone (tests/quality/test_write_audit_publish.py)
    if settings.sources.gdp_source == "worldbank":
        df = fetch_worldbank_gdp(None, years, base_url=settings.sources.worldbank_base_url)
        name, tally["read"] = "World Bank API NY.GDP.MKTP.CD", len(df)
    else:
        df = read_weo_gdp(settings.reference_dir / WEO_FILE, tally=tally)
        name = WEO_FILE.rsplit("/", 1)[-1]
    account = gdp_account(name, df, years, tally)
    df = df[df["year"].isin(years)].reset_index(drop=True)
    with warehouse.connect() as con:
        replace = _replacer(con, "raw.gdp_annual", df, "list_contains(?, year)", [years])

        def write() -> None:
            replace()
            accounting.record(con, [account], context.run_id, (str(min(years)), str(max(years))))

        yield from write_audit_publish(context, con, "gdp_annual", write)
        describe_partitions(context, con, "raw.gdp_annual", "year", "vintage", "'real'")
    context.log.info(account.line())
    yield file_checks.check_result(GDP_KEY, [account])
    yield dg.MaterializeResult()


def gdp_account(
    name: str, df: pd.DataFrame, years: list[int], tally: dict[str, int]
) -> accounting.FileAccount:
    """The GDP file's account: the reader's set-aside counts, then the window."""
    tally = dict(tally)
    account = accounting.FileAccount("gdp", name, rows_read=tally.pop("read"))
    for reason, n in tally.items():
        account.add(reason, n)
    in_window = int(df["year"].isin(years).sum())
    before = int((~df["year"].isin(years) & (df["year"] < FIRST_YEAR)).sum())
    account.add("outside_window", before)
    account.add("other_run_window", len(df) - in_window - before)
    account.rows_stored = in_window
    return account


@dg.asset(
    key=FX_KEY,
    group_name="gdp",
    kinds={"duckdb", "python"},
    check_specs=[check_spec("fx_monthly", FX_KEY)],
    description="CNY per USD, monthly averages (FRED, Federal Reserve H.10), for China.",
)
def fx_monthly(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Load the monthly CNY per USD rates from the bundled FRED file."""
    settings = Settings.from_env()
    df = read_fred_fx_monthly(settings.reference_dir / FRED_MONTHLY_FILE)
    with warehouse.connect() as con:
        write = _replacer(con, "raw.fx_monthly", df, "true", [])
        yield from write_audit_publish(context, con, "fx_monthly", write)
    yield dg.MaterializeResult(metadata={"dagster/row_count": dg.MetadataValue.int(len(df))})
