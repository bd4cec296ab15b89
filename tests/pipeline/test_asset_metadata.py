"""What a materialization tells the reader of an asset page, after a real run."""

import dagster as dg


def _latest(settings, key: list[str]):
    instance = dg.DagsterInstance.from_config(str(settings.dagster_home))
    event = instance.get_latest_materialization_event(dg.AssetKey(key))
    assert event is not None, key
    return event.asset_materialization.metadata


def test_a_mart_carries_its_built_columns_and_column_lineage(first_run):
    settings, _ = first_run
    metadata = _latest(settings, ["marts", "fct_tech_group_monthly"])
    schema = metadata["dagster/column_schema"].value
    columns = {c.name: c for c in schema.columns}
    # the types are the warehouse's, the descriptions the yml's
    assert columns["imports_usd"].type == "DOUBLE"
    assert columns["imports_usd"].description
    lineage = metadata["dagster/column_lineage"].value.deps_by_column
    parents = {(d.asset_key.to_user_string(), d.column_name) for d in lineage["imports_usd"]}
    assert ("intermediate/int_customs__tech_imports", "value_usd") in parents
    # a column computed from the GDP source reaches back to it through staging
    gdp = {d.asset_key.to_user_string() for d in lineage["rolling_12m_share_of_gdp"]}
    assert "staging/stg_gdp__annual" in gdp
    # dbt's timing, with its unit in the name
    assert "Execution Duration" not in metadata
    assert metadata["execution_duration_s"].value >= 0


def test_an_indicator_column_traces_to_the_mart_it_reads(first_run):
    settings, _ = first_run
    metadata = _latest(settings, ["indicators", "ind_tech_group_series"])
    lineage = metadata["dagster/column_lineage"].value.deps_by_column
    sources = {d.asset_key.to_user_string() for deps in lineage.values() for d in deps}
    assert "marts/fct_tech_group_monthly" in sources
