"""The code location loads, with the graph a user sees in the UI."""

import dagster as dg


def test_definitions_load_with_connected_lineage(data_dir):
    from orchestration.definitions import defs

    repo = defs.get_repository_def()
    graph = repo.asset_graph
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    for expected in ["raw/customs_monthly_trade", "raw/comtrade_annual_flows", "raw/gdp_annual",
                     "raw/fx_monthly", "stg_customs__monthly_trade", "fct_tech_group_monthly",
                     "ind_group_patterns", "ind_gdp_shares", "ref_tech_groups"]:
        assert expected in keys, expected

    # raw customs -> staging -> mart -> indicator, one connected path
    def downstream(key: str) -> set[str]:
        node = graph.get(dg.AssetKey.from_user_string(key))
        return {k.to_user_string() for k in node.child_keys}

    assert "stg_customs__monthly_trade" in downstream("raw/customs_monthly_trade")
    assert "stg_comtrade__annual_flows" in downstream("raw/comtrade_annual_flows")
    assert "stg_gdp__annual" in downstream("raw/gdp_annual")
    assert "int_customs__code_totals" in downstream("stg_customs__monthly_trade")
    assert "int_customs__tech_imports" in downstream("int_customs__code_totals")
    assert "fct_tech_group_monthly" in downstream("int_customs__tech_imports")
    assert "int_tech_group_series" in downstream("fct_tech_group_monthly")
    assert "ind_group_patterns" in downstream("int_tech_group_series")


def test_every_ingested_asset_and_a_mart_has_a_blocking_ge_check(data_dir):
    from orchestration.definitions import defs

    graph = defs.get_repository_def().asset_graph
    checks = {(c.asset_key.to_user_string(), c.name): graph.get_check_spec(c)
              for c in graph.asset_check_keys}
    for asset in ["raw/customs_monthly_trade", "raw/comtrade_annual_flows", "raw/gdp_annual",
                  "raw/fx_monthly", "fct_tech_group_monthly"]:
        ge = [spec for (a, name), spec in checks.items() if a == asset and name.startswith("ge_")]
        assert ge, f"no GE check on {asset}"
        assert all(spec.blocking for spec in ge)
    # dbt tests are asset checks too
    assert any(name.startswith("not_null") for _, name in checks)


def test_schedule_sensor_and_jobs_present(data_dir):
    from orchestration.definitions import defs

    assert defs.resolve_job_def("monthly_refresh")
    assert defs.resolve_job_def("annual_sources")
    assert defs.resolve_schedule_def("monthly_refresh_schedule")
    assert defs.resolve_sensor_def("customs_landing_sensor")
