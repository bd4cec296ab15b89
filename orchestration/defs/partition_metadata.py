"""Metadata of each partition of a range run, on that partition's materialization.

A single-run backfill materializes many partitions from one output: metadata returned
with it would be copied onto every partition. Each partition gets its own facts instead
(rows, files or sources, origin), and an empty partition says so with a warning.
"""

import dagster as dg


def describe_partitions(
    context: dg.AssetExecutionContext,
    con,
    table: str,
    column: str,
    source_column: str,
    origin: str = "origin",
) -> None:
    """``column`` holds the partition value (``YYYY-MM`` month or integer year) in ``table``.

    ``source_column`` names the file or source of each row; ``origin`` is the origin column or a
    constant for sources that are real throughout.
    """
    keys = {_value(key): key for key in context.partition_keys}
    stats = {value: (0, [], "none") for value in keys}
    for value, rows, sources, origins in con.execute(
        f"""SELECT {column}, count(*), list(DISTINCT {source_column} ORDER BY {source_column}),
                   array_to_string(list_sort(list(DISTINCT {origin})), ', ')
            FROM {table} WHERE list_contains(?, {column}) GROUP BY {column}""",
        [list(keys)],
    ).fetchall():
        stats[value] = (rows, sources, origins)
    for value, (rows, sources, origin) in stats.items():
        if not rows:
            context.log.warning(f"{table} {value}: no rows in any loaded source")
        context.add_asset_metadata(
            {
                "dagster/row_count": dg.MetadataValue.int(rows),
                "sources": dg.MetadataValue.json(sources),
                "origin": dg.MetadataValue.text(origin or "none"),
                "empty": dg.MetadataValue.bool(not rows),
            },
            partition_key=keys[value],
        )


def _value(key: str):
    """Partition key -> column value: '2024-06-01' -> '2024-06', '2024' -> 2024."""
    return int(key) if len(key) == 4 else key[:7]
