"""The code location loads, with the graph a user sees in the UI."""

import dagster as dg


def test_definitions_load_with_connected_lineage(data_dir):
    from orchestration.definitions import defs

    repo = defs.get_repository_def()
    graph = repo.asset_graph
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    for expected in [
        "raw/customs_monthly_trade",
        "raw/comtrade_annual_flows",
        "raw/gdp_annual",
        "raw/fx_monthly",
        "staging/stg_customs__monthly_trade",
        "marts/fct_tech_group_monthly",
        "indicators/ind_group_patterns",
        "indicators/ind_gdp_shares",
        "reference/ref_tech_groups",
    ]:
        assert expected in keys, expected

    # raw customs -> staging -> mart -> indicator, one connected path
    def downstream(key: str) -> set[str]:
        node = graph.get(dg.AssetKey.from_user_string(key))
        return {k.to_user_string() for k in node.child_keys}

    assert "staging/stg_customs__monthly_trade" in downstream("raw/customs_monthly_trade")
    assert "staging/stg_comtrade__annual_flows" in downstream("raw/comtrade_annual_flows")
    assert "staging/stg_gdp__annual" in downstream("raw/gdp_annual")
    assert "intermediate/int_customs__code_totals" in downstream(
        "staging/stg_customs__monthly_trade"
    )
    assert "intermediate/int_customs__tech_imports" in downstream(
        "intermediate/int_customs__code_totals"
    )
    assert "marts/fct_tech_group_monthly" in downstream("intermediate/int_customs__tech_imports")
    assert "indicators/ind_tech_group_series" in downstream("marts/fct_tech_group_monthly")
    assert "indicators/ind_group_patterns" in downstream("indicators/ind_tech_group_series")


def test_every_ingested_asset_and_a_mart_has_a_blocking_ge_check(data_dir):
    from orchestration.definitions import defs

    graph = defs.get_repository_def().asset_graph
    checks = {
        (c.asset_key.to_user_string(), c.name): graph.get_check_spec(c)
        for c in graph.asset_check_keys
    }
    for asset in [
        "raw/customs_monthly_trade",
        "raw/comtrade_annual_flows",
        "raw/gdp_annual",
        "raw/fx_monthly",
        "marts/fct_tech_group_monthly",
    ]:
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


def test_dbt_assets_show_their_warehouse_table_owner_and_layer(data_dir):
    from orchestration.definitions import defs

    graph = defs.get_repository_def().asset_graph
    node = graph.get(dg.AssetKey(["marts", "fct_tech_group_monthly"]))
    table = node.metadata["dagster/table_name"]
    assert str(getattr(table, "value", table)) == "chokepoint.marts.fct_tech_group_monthly"
    assert node.owners == ["team:chokepoint-data"]
    assert node.tags["layer"] == "marts"
    staging = graph.get(dg.AssetKey(["staging", "stg_customs__monthly_trade"]))
    assert staging.tags["domain"] == "customs"


def test_dbt_materializations_carry_row_count_and_origin(tmp_path, monkeypatch):
    """Row counts and origin come from one read-only connection after dbt has ended."""
    import duckdb

    from orchestration.defs.dbt.assets import with_table_facts

    warehouse = tmp_path / "chokepoint.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("CREATE SCHEMA marts")
    con.execute(
        "CREATE TABLE marts.a AS SELECT * FROM (VALUES (1, 'real'), (2, 'synthetic')) t(x, origin)"
    )
    con.execute("CREATE TABLE marts.b AS SELECT 1 AS x")
    con.close()
    monkeypatch.setenv("CHOKEPOINT_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("CHOKEPOINT_TARGET", "duckdb")
    events = [
        dg.Output(
            None, output_name=name, metadata={"dagster/table_name": f"chokepoint.marts.{name}"}
        )
        for name in ("a", "b")
    ]
    a, b = with_table_facts(events)
    assert a.metadata["dagster/row_count"].value == 2 and a.metadata["origin"].value == "mixed"
    assert b.metadata["dagster/row_count"].value == 1 and "origin" not in b.metadata

    # dagster-dbt's own events name the model, not the table: the manifest says which
    con = duckdb.connect(str(warehouse))
    con.execute("CREATE TABLE marts.fct_customs_coverage AS SELECT * FROM range(3)")
    con.close()
    [model] = with_table_facts(
        [
            dg.Output(
                None,
                output_name="fct_customs_coverage",
                metadata={"unique_id": "model.chokepoint.fct_customs_coverage"},
            )
        ]
    )
    assert model.metadata["dagster/table_name"].value == "chokepoint.marts.fct_customs_coverage"
    assert model.metadata["dagster/row_count"].value == 3


def test_ingestion_assets_show_table_columns_owner_and_tags(data_dir):
    from orchestration.definitions import defs

    graph = defs.get_repository_def().asset_graph
    node = graph.get(dg.AssetKey(["raw", "customs_monthly_trade"]))
    assert str(node.metadata["dagster/table_name"]) == "chokepoint.raw.customs_monthly_trade"
    columns = {c.name for c in node.metadata["dagster/column_schema"].columns}
    assert {
        "period_month",
        "hs8",
        "partner_code",
        "value_native",
        "source_file",
        "line_no",
    } <= columns
    assert node.owners == ["team:chokepoint-data"]
    assert (node.tags["layer"], node.tags["domain"]) == ("raw", "customs")
    assert graph.get(dg.AssetKey(["raw_ref", "tech_batches"])).tags["layer"] == "reference"


LAYERS = [
    "raw",
    "reference",
    "staging",
    "intermediate",
    "marts",
    "indicators",
    "reports",
    "serving",
]


def test_groups_are_the_layers_in_order_and_keys_have_one_shape(data_dir):
    """Every key is <layer or schema>/<name>; every group is a layer; no edge goes from a
    later layer back to an earlier one (the graph reads left to right)."""
    from orchestration.definitions import defs
    from orchestration.defs.keys import table_key

    graph = defs.get_repository_def().asset_graph
    rank = {layer: i for i, layer in enumerate(LAYERS)}
    groups = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert len(key.path) == 2, key
        groups[key] = node.group_name
        assert node.group_name in rank, (key, node.group_name)
        expected_first = {"reference": ("raw_ref", "reference")}.get(
            node.group_name, (node.group_name,)
        )
        assert key.path[0] in expected_first, key
    assert set(groups.values()) == set(LAYERS)
    backwards = [
        (p.to_user_string(), k.to_user_string())
        for k in groups
        for p in graph.get(k).parent_keys
        if rank[groups[p]] > rank[groups[k]]
    ]
    assert not backwards, backwards
    # the Python helper that names dbt tables agrees with the translator
    for key in groups:
        if key.path[0] in ("staging", "intermediate", "marts", "indicators"):
            assert table_key(key.path[1]) == key


def test_checks_have_readable_names_descriptions_and_ops_named_once(data_dir):
    from orchestration.definitions import defs

    repo = defs.get_repository_def()
    graph = repo.asset_graph
    specs = {c: graph.get_check_spec(c) for c in graph.asset_check_keys}
    for key, spec in specs.items():
        assert spec.description and "\n" not in spec.description, key
        # the name says the test and column; the asset is the check's page already
        assert key.asset_key.path[-1] not in key.name or key.name.startswith("ge_"), key
        assert len(key.name) <= 60, key
    pattern = specs[next(k for k in specs if k.name == "is_pattern_label_pattern")]
    assert pattern.description.startswith("pattern is one of the pattern labels")
    reconcile = next(s for k, s in specs.items() if k.name == "assert_customs_grains_reconcile")
    assert reconcile.description.startswith("Where a month, flow and code has rows")
    ops = [node.name for job in [repo.get_job("build")] for node in job.graph.nodes]
    assert "ge_fct_tech_group_monthly" in ops
    assert not [op for op in ops if op.count("fct_tech_group_monthly") > 1]


def test_code_version_digest_follows_the_python_files(tmp_path):
    from orchestration.defs.catalog import digest

    package = tmp_path / "defs" / "customs"
    package.mkdir(parents=True)
    (package / "assets.py").write_text("X = 1\n")
    shared = tmp_path / "settings.py"
    shared.write_text("Y = 1\n")
    first = digest([package, shared], tmp_path)
    assert len(first) == 12 and first == digest([package, shared], tmp_path)
    (package / "notes.txt").write_text("not code")
    assert digest([package, shared], tmp_path) == first
    (package / "assets.py").write_text("X = 2\n")
    edited = digest([package, shared], tmp_path)
    assert edited != first
    (package / "assets.py").rename(package / "other.py")
    assert digest([package, shared], tmp_path) != edited
    shared.write_text("Y = 2\n")
    assert digest([package], tmp_path) != digest([package, shared], tmp_path)


def test_every_asset_has_a_code_version_and_no_unserializable_metadata(data_dir):
    from dagster._core.definitions.metadata import normalize_metadata

    from orchestration.definitions import defs
    from orchestration.defs.catalog import code_version

    graph = defs.get_repository_def().asset_graph
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if not node.is_materializable:
            continue
        assert node.code_version, key.to_user_string()
        shown = normalize_metadata(node.metadata, allow_invalid=True)
        # the UI hides dagster-dbt's manifest and translator entries, nothing else of them
        visible = {
            k: v
            for k, v in shown.items()
            if k not in ("dagster_dbt/manifest", "dagster_dbt/dagster_dbt_translator")
        }
        assert not [k for k, v in visible.items() if "(unserializable)" in str(v)], key
    customs = graph.get(dg.AssetKey(["raw", "customs_monthly_trade"]))
    assert customs.code_version == code_version("orchestration.defs.customs.assets")
    # a package of its own, a version of its own; two assets of one package share it
    gdp, fx = (graph.get(dg.AssetKey(["raw", k])) for k in ("gdp_annual", "fx_monthly"))
    assert gdp.code_version == fx.code_version != customs.code_version


def test_importing_the_definitions_writes_nothing(tmp_path):
    """The code server's import does no set-up work: against a fresh, empty data folder it
    creates no folder and writes no file (bootstrap.sh and the CLI do that)."""
    import os
    import subprocess
    import sys

    home = tmp_path / "home"
    home.mkdir()
    env = {
        **os.environ,
        "CHOKEPOINT_DATA_DIR": str(home),
        "DAGSTER_HOME": str(home / "dagster_home"),
    }
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import orchestration.definitions as d; d.defs.get_repository_def()",
        ],
        check=True,
        env=env,
        cwd=tmp_path,
    )
    assert list(home.rglob("*")) == []
