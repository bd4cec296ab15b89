"""The serving publication: the last step of a refresh."""

import dagster as dg

from orchestration.defs.keys import table_key
from orchestration.lib.serving.publish import publish
from orchestration.settings import Settings

SERVED_MODELS = [
    "fct_tech_group_monthly", "fct_customs_monthly", "dim_tech_group", "dim_hs8_tech",
    "ind_group_patterns", "ind_pattern_matrix", "ind_pattern_sensitivity", "ind_gdp_shares",
    "ind_batch_index", "ind_trade_growth", "ind_hs6_world_share",
    "ind_mic25_import_dependence", "ind_mic25_export_share", "ind_mic25_scorecard",
    "ind_hs4_vulnerability", "rpt_published_comparison",
]


@dg.asset(
    key=dg.AssetKey(["serving", "publication"]),
    deps=[table_key(m) for m in SERVED_MODELS],
    group_name="serving",
    kinds={"duckdb", "parquet"},
    description="Marts and indicators published atomically to serving/chokepoint.duckdb "
                "and serving/parquet/current for BI tools.",
)
def serving_publication() -> dg.MaterializeResult:
    """Publish the marts and indicators to the serving folder."""
    settings = Settings.from_env()
    result = publish(settings.warehouse_path, settings.data_dir / "serving")
    return dg.MaterializeResult(metadata={
        "version": result["version"],
        "path": dg.MetadataValue.path(result["path"]),
        "tables": dg.MetadataValue.json(result["tables"]),
    })
