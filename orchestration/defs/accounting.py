"""The non-blocking ``every_file_used`` check of every ingestion asset (see lib.accounting)."""

import dagster as dg

from orchestration.lib.accounting import CHECK_NAME, FileAccount


def check_spec(asset_key):
    """The non-blocking check that every landed file had rows stored."""
    return dg.AssetCheckSpec(
        name=CHECK_NAME,
        asset=asset_key,
        blocking=False,
        description="Warns when a landed file had no row stored (names the file and the "
        "main reason its rows were set aside).",
    )


def check_result(asset_key, accounts: list[FileAccount]):
    """WARN (non-blocking) when a file stored nothing; the accounts as metadata."""
    warnings = [w for a in accounts if (w := a.warning())]
    table = "\n".join(
        ["| file | read | stored | set aside |", "|---|---:|---:|---|"]
        + [
            f"| {a.file_name} | {a.rows_read:,} | {a.rows_stored:,} | "
            + ", ".join(f"{r} {n:,}" for r, n in a.set_aside.items())
            + " |"
            for a in accounts
        ]
    )
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=CHECK_NAME,
        passed=not warnings,
        severity=dg.AssetCheckSeverity.WARN,
        description="; ".join(warnings)
        if warnings
        else f"{len(accounts)} files, each with rows stored",
        metadata={
            "files": dg.MetadataValue.md(table),
            "rows_read": dg.MetadataValue.int(sum(a.rows_read for a in accounts)),
            "rows_stored": dg.MetadataValue.int(sum(a.rows_stored for a in accounts)),
        },
    )
