"""China Customs ingestion: portal export files in landing/customs -> raw tables."""

from pathlib import Path

import dagster as dg

from orchestration.defs import accounting as file_checks
from orchestration.defs.customs.checks import check_spec
from orchestration.defs.gdp.assets import FX_KEY
from orchestration.defs.partition_metadata import describe_partitions
from orchestration.defs.partitions import month_keys, monthly_partitions
from orchestration.defs.quality.audit import write_audit_publish
from orchestration.defs.resources import WarehouseResource
from orchestration.lib import accounting
from orchestration.lib.customs import landing as landing_scan
from orchestration.lib.customs import parse_cache, store
from orchestration.lib.customs.landing import landing_files
from orchestration.lib.errors import SourceFileError
from orchestration.lib.refused import refuse
from orchestration.settings import Settings

CUSTOMS_KEY = dg.AssetKey(["raw", "customs_monthly_trade"])
# the metadata entry holding each partition's data version (landing.month_versions)
DATA_VERSION_ENTRY = "data_version"


@dg.asset(
    key=CUSTOMS_KEY,
    group_name="customs",
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    kinds={"duckdb", "python"},
    check_specs=[
        check_spec("customs_monthly_trade", CUSTOMS_KEY),
        file_checks.check_spec(CUSTOMS_KEY),
    ],
    # the audit's volume rule compares months in USD
    deps=[FX_KEY],
    description=(
        "China Customs (GACC) monthly HS8 trade as exported by the statistics portal. "
        "New files in landing/customs are validated whole, archived under their content "
        "hash and kept as vintages. Files of any grain load; files of one month, flow and "
        "grain are unioned: per key the newest file's row is current, a changed value is "
        "listed in raw.customs_revisions, and nothing is deleted because a newer file "
        "lacks it. New rows are audited before they are published: a refused file "
        "changes nothing and moves to landing/customs/_refused with the reason."
    ),
)
def customs_monthly_trade(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Load the new landing files, audit, publish the run's months with their data versions."""
    settings = Settings.from_env()
    landing = settings.landing("customs")
    months = month_keys(context)
    with warehouse.connect() as con:
        store.ensure_tables(con)
        cache = parse_cache.cache_dir(landing)
        parse_cache.prune(cache)
        parsed_new = _parse_new_files(con, landing, cache)
        # the newer file wins a key: files of one run are stored oldest first
        parsed_new.sort(key=lambda p: (p.path.stat().st_mtime_ns, p.path.name))
        revised: dict[str, int] = {}
        accounts: list[accounting.FileAccount] = []

        def write() -> None:
            archived = [store.archive(p.path, p.sha256, landing / "_archive") for p in parsed_new]
            counts = store.store_vintages(
                con, list(zip(parsed_new, archived, strict=True)), in_transaction=True
            )
            for parsed in parsed_new:
                n = revised[parsed.path.name] = counts[parsed.sha256]
                context.log.info(
                    f"staged {parsed.path.name}: {parsed.flow}, grain {parsed.grain}, "
                    f"{parsed.currency}, {len(parsed.months)} months, {parsed.rows} rows"
                    + (f", {n} keys revised" if n else "")
                )
            store.replace_current_slice(con, months, in_transaction=True)
            accounts[:] = store.file_accounts(con, [p.sha256 for p in parsed_new], months)
            accounting.record(con, accounts, context.run_id, (months[0], months[-1]))

        def refuse_new(result: dg.AssetCheckResult) -> None:
            details = [
                v.value for k, v in result.metadata.items() if k.removeprefix("failed_").isdigit()
            ]
            why = "\n\n".join(
                [f"the audit of the staged rows failed: {result.description}", *details]
            )
            for parsed in parsed_new:
                moved = refuse(parsed.path, why)
                context.log.warning(f"refused {parsed.path.name}: moved to {moved}")

        yield from write_audit_publish(
            context, con, "customs_monthly_trade", write, on_refused=refuse_new
        )
        # stored or refused: their kept parses are of no further use
        parse_cache.drop(cache, [(p.path, p.sha256) for p in parsed_new])
        _log_revisions(
            context, con, [p.sha256 for p in parsed_new] if any(revised.values()) else []
        )
        describe_partitions(
            context, con, "raw.customs_monthly_trade", "period_month", "source_file"
        )
        run_version = _record_data_versions(context, con, landing, months)
    for account in accounts:
        context.log.info(account.line())
        if account.warning():
            context.log.warning(account.warning())
    yield file_checks.check_result(CUSTOMS_KEY, accounts)
    # Whole-run facts would be copied onto every month of a range: each month carries its
    # own, its data version too; the run's data version covers all of its months.
    yield dg.MaterializeResult(data_version=dg.DataVersion(run_version))


def _record_data_versions(context, con, landing: Path, months: list[str]) -> str:
    """Record each written month's data version on its partition.

    Put each written month's data version (the digest of the hashes of the landing
    files holding it) on its partition, and return the version of the run's months.
    """
    files = landing_scan.scan_landing(landing, landing_scan.known_from_log(con))
    versions = landing_scan.month_versions(files)
    for key in context.partition_keys:
        version = versions.get(key[:7], landing_scan.NO_FILES)
        context.add_asset_metadata(
            {DATA_VERSION_ENTRY: dg.MetadataValue.text(version)}, partition_key=key
        )
    return landing_scan.version_of(f"{m}:{versions.get(m, landing_scan.NO_FILES)}" for m in months)


def _parse_new_files(con, landing: Path, cache: Path) -> list:
    """Parse the files not loaded yet.

    A file that cannot be read is refused whole: it moves to ``_refused/`` with its
    error (file, line, field) and nothing of the run is stored, so the published tables
    stay as they were.
    """
    known = store.loaded_hashes(con)
    seen = store.known_signatures(con)
    parsed_new, errors = [], []
    for i, path in enumerate(landing_files(landing)):
        # Hashing is a cheap read; parsing is not, so known files are skipped first.
        if store.signature(path) in seen:
            continue
        sha = store.file_sha256(path)
        if sha in known:
            continue
        try:
            # the run's decision parsed a file of new content already: taken, not redone
            parsed = parse_cache.parse(con, path, f"customs_parsed_{i}", cache, sha)
        except SourceFileError as err:
            errors.append(f"{err} (moved to {refuse(path, str(err))})")
            continue
        known.add(parsed.sha256)
        parsed_new.append(parsed)
    if errors:
        raise dg.Failure(
            description="Customs files refused; nothing was stored:\n" + "\n".join(errors),
            metadata={"errors": dg.MetadataValue.md("\n".join(f"- {e}" for e in errors))},
        )
    return parsed_new


def _log_revisions(context, con, shas: list[str]) -> None:
    if not shas:
        return
    for change in con.execute(
        "SELECT period_month, flow, grain, hs8, partner_code, regime_code, location_code, "
        "old_value_native, new_value_native, old_file, new_file FROM raw.customs_revisions "
        "WHERE list_contains(?, new_file_sha256) ORDER BY ALL LIMIT 50",
        [shas],
    ).fetchall():
        context.log.info(
            "revised "
            + " ".join(str(c) for c in change[:7] if c is not None)
            + f": {change[7]} -> {change[8]} ({change[9]} -> {change[10]})"
        )
