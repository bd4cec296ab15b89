"""Asset keys of the dbt tables, for Python code that names them.

Every table asset's key is its warehouse schema and table (raw/customs_monthly_trade,
marts/fct_tech_group_monthly); a dbt model's name says its layer by its prefix, and the
layer is its schema (dbt_project.yml). tests/pipeline/test_definitions.py checks that
these keys are the ones the dbt translator gives.
"""

import dagster as dg

SCHEMA_OF_PREFIX = {"stg_": "staging", "int_": "intermediate", "fct_": "marts",
                    "dim_": "marts", "ind_": "indicators", "rpt_": "reports",
                    "ref_": "reference"}


def table_key(model: str) -> dg.AssetKey:
    """The asset key (schema, table) of a dbt model, from the layer its prefix names."""
    schema = next(s for prefix, s in SCHEMA_OF_PREFIX.items() if model.startswith(prefix))
    return dg.AssetKey([schema, model])
