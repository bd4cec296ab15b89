"""China Customs ingestion: portal export files in landing/customs -> raw tables."""

from pathlib import Path

import dagster as dg

from orchestration.defs.customs import store
from orchestration.defs.customs.parsing import CustomsFileError, parse_customs_file
from orchestration.defs.partition_metadata import describe_partitions
from orchestration.defs.partitions import month_keys, monthly_partitions
from orchestration.defs.resources import WarehouseResource
from orchestration.settings import Settings

CUSTOMS_KEY = dg.AssetKey(["raw", "customs_monthly_trade"])
ACCEPTED_SUFFIXES = {".csv", ".xlsx", ".txt"}


def landing_files(landing: Path) -> list[Path]:
    return sorted(
        p for p in landing.iterdir()
        if p.is_file() and p.suffix.lower() in ACCEPTED_SUFFIXES and not p.name.startswith(".")
    )


@dg.asset(
    key=CUSTOMS_KEY,
    group_name="customs",
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    kinds={"duckdb", "python"},
    description=(
        "China Customs (GACC) monthly HS8 trade as exported by the statistics portal. "
        "New files in landing/customs are validated whole, archived under their content "
        "hash and kept as vintages; each month of the run is replaced by its newest vintage."
    ),
)
def customs_monthly_trade(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    settings = Settings.from_env()
    landing = settings.landing("customs")
    months = month_keys(context)
    with warehouse.connect() as con:
        store.ensure_tables(con)
        known = store.loaded_hashes(con)
        seen = store.known_signatures(con)
        parsed_new, errors = [], []
        for i, path in enumerate(landing_files(landing)):
            # Hashing is a cheap read; parsing is not, so known files are skipped first.
            if store.signature(path) in seen or store.file_sha256(path) in known:
                continue
            try:
                parsed = parse_customs_file(con, path, table=f"customs_parsed_{i}")
            except CustomsFileError as err:
                errors.append(str(err))
                continue
            known.add(parsed.sha256)
            parsed_new.append(parsed)
        if errors:
            # Refuse the batch before anything is stored, so earlier data stays as it was.
            raise dg.Failure(
                description="Customs files refused; nothing was stored:\n" + "\n".join(errors),
                metadata={"errors": dg.MetadataValue.md("\n".join(f"- {e}" for e in errors))},
            )
        for parsed in parsed_new:
            archived = store.archive(parsed.path, parsed.sha256, landing / "_archive")
            store.store_vintage(con, parsed, archived)
            context.log.info(
                f"loaded {parsed.path.name}: {parsed.flow}, {parsed.currency}, "
                f"{len(parsed.months)} months, {parsed.rows} rows"
            )
        store.replace_current_slice(con, months)
        describe_partitions(context, con, "raw.customs_monthly_trade", "period_month",
                            "source_file")
    # Whole-run facts would be copied onto every month of a range: each month carries its own.
    return dg.MaterializeResult()
