"""No rule is written twice: a GE expectation on a raw column has no dbt test of the same
kind on the staging column that passes that raw column through, GE suites hold only the
rules of ingested tables, and the SQL rules of the suites are files, not Python strings."""

import re

import yaml

from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT
from tests.quality.suites import ALL_SUITES

# dbt generic tests as the GE expectation kind they would duplicate
KIND_OF_DBT_TEST = {
    "not_null": "ExpectColumnValuesToNotBeNull",
    "accepted_values": "ExpectColumnValuesToBeInSet",
    "is_pattern_label": "ExpectColumnValuesToBeInSet",
    "unique": "ExpectColumnValuesToBeUnique",
    "value_between": "ExpectColumnValuesToBeBetween",
}


def _tests(tests) -> list[tuple[str, dict]]:
    """(generic test name, its arguments) of a yml data_tests list."""
    out = []
    for test in tests or []:
        kind = test if isinstance(test, str) else next(iter(test))
        config = {} if isinstance(test, str) else (test[kind] or {})
        out.append((kind, config.get("arguments", config)))
    return out


def dbt_column_tests() -> dict[tuple[str, str, str], tuple | None]:
    """(model, column, GE kind) -> accepted values (None for other kinds) of every dbt
    column test of a kind GE also has."""
    found = {}
    for path in (DBT_PROJECT_DIR / "models").rglob("_*__models.yml"):
        for model in yaml.safe_load(path.read_text()).get("models") or []:
            for column in model.get("columns") or []:
                for kind, args in _tests(column.get("data_tests")):
                    if kind in KIND_OF_DBT_TEST:
                        values = args.get("values")
                        found[(model["name"], column["name"], KIND_OF_DBT_TEST[kind])] = (
                            tuple(values) if isinstance(values, list) else None
                        )
    return found


def _repeats(exp, dbt_values) -> bool:
    """A dbt set narrower than GE's tests the model's own filter, not the raw rule."""
    if exp.kind != "ExpectColumnValuesToBeInSet" or dbt_values is None:
        return True
    return set(dbt_values) >= set(exp.kwargs["value_set"])


def _passed_through(sql: str, column: str) -> set[str]:
    """The output columns of a staging SELECT that are the raw ``column`` as it is (or
    only cast): ``source.c``, ``c as alias``, ``cast(c as type) as alias``."""
    qualified = r"(?:\w+\.)?" + re.escape(column)
    aliases = set(re.findall(rf"cast\(\s*{qualified}\s+as\s+\w+\s*\)\s+as\s+(\w+)", sql, re.I))
    aliases |= set(re.findall(rf"(?<![\w(,] ){qualified}\s+as\s+(\w+)", sql, re.I))
    if re.search(rf"^\s*{qualified}\s*,?\s*$", sql, re.M | re.I):
        aliases.add(column)
    return aliases


def pass_through_map() -> dict[tuple[str, str], set[tuple[str, str]]]:
    """(raw table, column) -> the (staging model, column) that carry it unchanged."""
    mapping: dict[tuple[str, str], set[tuple[str, str]]] = {}
    models = list((DBT_PROJECT_DIR / "models" / "staging").rglob("stg_*.sql"))
    for suite in ALL_SUITES:
        schema, table = suite.table.split(".")
        for path in models:
            sql = path.read_text()
            if not re.search(rf"source\(\s*'\w+'\s*,\s*'{table}'\s*\)", sql):
                continue
            for column in suite.columns:
                for alias in _passed_through(sql, column):
                    mapping.setdefault((suite.table, column), set()).add((path.stem, alias))
    return mapping


def duplicates(dbt_tests: dict[tuple[str, str, str], tuple | None]) -> list[tuple]:
    """GE expectations whose rule a dbt test on a pass-through column repeats."""
    through = pass_through_map()
    found = []
    for suite in ALL_SUITES:
        for exp in suite.expectations:
            column = exp.kwargs.get("column")
            for model, alias in through.get((suite.table, column), ()):
                key = (model, alias, exp.kind)
                if key in dbt_tests and _repeats(exp, dbt_tests[key]):
                    found.append((suite.table, column, exp.kind, model, alias))
    return found


def test_the_pass_through_map_finds_the_staging_columns():
    through = pass_through_map()
    assert ("stg_customs__monthly_trade", "hs8") in through[("raw.customs_monthly_trade", "hs8")]
    assert ("stg_comtrade__annual_flows", "trade_year") in through[
        ("raw.comtrade_annual_flows", "year")
    ]
    assert ("stg_fx__monthly", "cny_per_usd") in through[("raw.fx_monthly", "cny_per_usd")]
    # derived, not passed through: the first six digits of hs8
    assert ("stg_customs__monthly_trade", "hs6") not in through[
        ("raw.customs_monthly_trade", "hs8")
    ]


def test_no_ge_rule_is_repeated_by_a_dbt_test():
    assert duplicates(dbt_column_tests()) == []


def test_a_repeated_rule_is_caught():
    """The check can fail: the not-null rule of raw hs8, written again in staging."""
    crafted = dbt_column_tests() | {
        ("stg_customs__monthly_trade", "hs8", "ExpectColumnValuesToNotBeNull"): None,
        ("stg_comtrade__annual_flows", "flow", "ExpectColumnValuesToBeInSet"): ("import", "export"),
    }
    assert sorted(duplicates(crafted)) == [
        (
            "raw.comtrade_annual_flows",
            "flow",
            "ExpectColumnValuesToBeInSet",
            "stg_comtrade__annual_flows",
            "flow",
        ),
        (
            "raw.customs_monthly_trade",
            "hs8",
            "ExpectColumnValuesToNotBeNull",
            "stg_customs__monthly_trade",
            "hs8",
        ),
    ]


def test_a_narrower_set_in_staging_is_its_own_rule():
    """stg_comtrade__aggregate_flows keeps HS4 and HS2 of the raw table's four levels:
    its accepted values test that filter, which the raw rule does not."""
    tests = dbt_column_tests()
    assert tests[("stg_comtrade__aggregate_flows", "cmd_level", "ExpectColumnValuesToBeInSet")] == (
        "HS4",
        "HS2",
    )
    assert duplicates(tests) == []


def test_ge_expectations_are_rules_of_ingested_tables_only():
    """Staging, mart and indicator rules are dbt tests; GE holds the raw tables' rules
    (a mart suite may hold a reconciliation, as SQL, but no expectation)."""
    for suite in ALL_SUITES:
        if suite.expectations:
            assert suite.table.split(".")[0] in ("raw", "raw_ref"), suite.name


def test_no_sql_rule_is_a_python_string():
    """The checks' SQL lives in sql/*.sql beside them (or in dbt tests)."""
    checks = [
        REPO_ROOT / "orchestration" / "defs" / d / "checks.py"
        for d in ("customs", "comtrade", "gdp", "reference", "quality")
    ]
    for path in checks:
        text = path.read_text()
        assert not re.search(r"[\"']\s*(SELECT|WITH)\s", text), path
    for suite in ALL_SUITES:
        for rule in suite.rules:
            assert rule.sql.lstrip().startswith("--"), (suite.name, rule.name)
