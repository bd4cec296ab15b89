"""The serving publication: the last step of a refresh."""

import dagster as dg

from orchestration.defs.keys import published_keys
from orchestration.lib.serving.publish import publish
from orchestration.settings import Settings


@dg.asset(
    key=dg.AssetKey(["serving", "publication"]),
    # every table the publication copies, from the manifest: nothing to keep in step
    deps=published_keys(),
    group_name="serving",
    kinds={"duckdb", "parquet"},
    description="Marts and indicators published atomically to serving/chokepoint.duckdb "
    "and serving/parquet/current for BI tools.",
)
def serving_publication() -> dg.MaterializeResult:
    """Publish the marts and indicators to the serving folder."""
    settings = Settings.from_env()
    result = publish(settings.warehouse_path, settings.data_dir / "serving")
    return dg.MaterializeResult(
        metadata={
            "version": result["version"],
            "path": dg.MetadataValue.path(result["path"]),
            "tables": dg.MetadataValue.json(result["tables"]),
        }
    )
