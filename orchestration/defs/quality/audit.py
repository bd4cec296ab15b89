"""Write, audit, publish: the staged rows are audited before they are committed.

An ingestion asset writes its new rows inside one transaction, its blocking suite
audits exactly that state (the connection sees its own uncommitted
writes; nobody else does), and only a passing audit commits. A failing audit rolls back,
so the published table is exactly as it was, and its check result says why.

The audit is the asset's own blocking check (declared with ``check_specs``), evaluated
inside the asset's step: a separate check step would run after the data was published.
"""

from collections.abc import Callable, Iterator

import dagster as dg

from orchestration.defs.quality.checks import SUITES_BY_NAME, check_result, evaluate, register
from orchestration.lib.quality.suite import Suite


def audit_spec(suite: Suite, key: dg.AssetKey) -> dg.AssetCheckSpec:
    """The asset's own blocking check for ``suite``; registers the suite for the audit."""
    register(suite)
    return dg.AssetCheckSpec(
        name=f"ge_{suite.name}",
        asset=key,
        blocking=True,
        description=f"Great Expectations suite '{suite.name}', run on the staged rows "
        "before they are published: a failure publishes nothing and blocks "
        "downstream.",
    )


def write_audit_publish(
    context,
    con,
    suite_name: str,
    write: Callable[[], None],
    on_refused: Callable[[dg.AssetCheckResult], None] | None = None,
) -> Iterator[dg.AssetCheckResult]:
    """Write, audit the staged rows, and publish only a passing audit.

    Yields the audit's check result; raises ``dg.Failure`` after a refused audit (the
    check result is recorded first, so the UI's check page shows which rule, row, file
    and line).
    """
    suite = SUITES_BY_NAME[suite_name]
    con.execute("BEGIN TRANSACTION")
    try:
        write()
        outcome, partitions = evaluate(suite, con, context)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("ROLLBACK" if outcome.failed_errors else "COMMIT")
    result = check_result(suite, outcome, partitions, context)
    yield result
    if outcome.failed_errors:
        if on_refused:
            on_refused(result)
        raise dg.Failure(
            description=f"{suite_name}: nothing was published: {result.description}",
            metadata={"rule": dg.MetadataValue.text(result.description or "")},
        )
