"""China Customs ingestion: portal export files in landing/customs -> raw tables."""

from pathlib import Path

import dagster as dg

from orchestration.defs.customs import store
from orchestration.defs.customs.parsing import CustomsFileError, parse_customs_file
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
        "hash and kept as vintages. Files of any grain load; files of one month, flow and "
        "grain are unioned: per key the newest file's row is current, a changed value is "
        "listed in raw.customs_revisions, and nothing is deleted because a newer file "
        "lacks it."
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
        # the newer file wins a key: files of one run are stored oldest first
        parsed_new.sort(key=lambda p: (p.path.stat().st_mtime_ns, p.path.name))
        revised = 0
        for parsed in parsed_new:
            archived = store.archive(parsed.path, parsed.sha256, landing / "_archive")
            n = store.store_vintage(con, parsed, archived)
            revised += n
            context.log.info(
                f"loaded {parsed.path.name}: {parsed.flow}, grain {parsed.grain}, "
                f"{parsed.currency}, {len(parsed.months)} months, {parsed.rows} rows"
                + (f", {n} keys revised" if n else "")
            )
        changes = con.execute(
            "SELECT period_month, flow, grain, hs8, partner_code, regime_code, location_code, "
            "old_value_native, new_value_native, old_file, new_file FROM raw.customs_revisions "
            "WHERE list_contains(?, new_file_sha256) ORDER BY ALL LIMIT 50",
            [[p.sha256 for p in parsed_new]]).fetchall() if revised else []
        for change in changes:
            context.log.info("revised " + " ".join(str(c) for c in change[:7] if c is not None)
                             + f": {change[7]} -> {change[8]} ({change[9]} -> {change[10]})")
        rows = store.replace_current_slice(con, months)
        origins = [
            r[0] for r in con.execute(
                "SELECT DISTINCT origin FROM raw.customs_monthly_trade "
                "WHERE list_contains(?, period_month)", [months]
            ).fetchall()
        ]
    return dg.MaterializeResult(
        metadata={
            "rows": dg.MetadataValue.int(rows),
            "dagster/row_count": dg.MetadataValue.int(rows),
            "months": dg.MetadataValue.text(f"{months[0]}..{months[-1]}" if months else ""),
            "new_files": dg.MetadataValue.json([p.path.name for p in parsed_new]),
            "revised_keys": dg.MetadataValue.int(revised),
            "revisions": dg.MetadataValue.md("\n".join(
                ["| month | flow | grain | key | old | new | files |", "|---" * 7 + "|"]
                + [f"| {c[0]} | {c[1]} | {c[2]} | {' '.join(x for x in c[3:7] if x)} | {c[7]} "
                   f"| {c[8]} | {c[9]} -> {c[10]} |" for c in changes])),
            "origin": dg.MetadataValue.text(", ".join(sorted(origins)) or "none"),
        }
    )
