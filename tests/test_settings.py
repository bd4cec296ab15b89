"""The one settings object: every variable the code reads, documented, validated, secret.

The README's Settings tables are checked against the settings, and the settings against
what the code and the dbt project read, so a variable cannot be added in one place only.
"""

import re

import pytest

from orchestration.settings import (
    BUNDLED_DATA_DIR,
    DBT_PROJECT_DIR,
    GROUPS,
    REPO_ROOT,
    WINDOW_START,
    AnalysisSettings,
    QualitySettings,
    Settings,
    SettingsError,
    env_name,
    get_settings,
    load_group,
)

README = REPO_ROOT / "README.md"
# Where the code reads variables: the Python package, the shell entry points, dbt.
READERS = [
    *(REPO_ROOT / "orchestration").rglob("*.py"),
    REPO_ROOT / "bootstrap.sh",
    REPO_ROOT / ".ci" / "run",
    *(
        p
        for ext in ("sql", "yml")
        for p in DBT_PROJECT_DIR.rglob(f"*.{ext}")
        if "target" not in p.relative_to(DBT_PROJECT_DIR).parts[:1]
        and "dbt_packages" not in p.parts
    ),
]
# a whole name: not the prefix of an f-string or a Jinja concatenation (CHOKEPOINT_' ~ name)
VARIABLE = re.compile(r"\bCHOKEPOINT_[A-Z0-9]+(?:_[A-Z0-9]+)*\b(?![{'\"]?\s*~)")
ALL_FIELDS = [(group, field) for group in GROUPS.values() for field in group.model_fields]


@pytest.fixture()
def clean_env(monkeypatch):
    """No setting in the environment: every group at its defaults."""
    for group, field in ALL_FIELDS:
        monkeypatch.delenv(env_name(group, field), raising=False)
    return monkeypatch


def _settings_section() -> str:
    text = README.read_text()
    start = text.index("\n## Settings\n")
    return text[start : text.index("\n## ", start + 1)]


def _readme_rows() -> dict[str, str]:
    """Each variable -> the default cell of its row in the README's Settings tables."""
    rows = {}
    for line in _settings_section().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and re.fullmatch(r"`[A-Z0-9_]+`", cells[0]):
            name = cells[0].strip("`")
            assert name not in rows, f"README: {name} has two rows"
            rows[name] = cells[1]
    return rows


def test_every_variable_the_code_reads_is_a_setting():
    """A CHOKEPOINT_ name in the code, bootstrap, CI or dbt is a field of the settings."""
    known = {env_name(group, field) for group, field in ALL_FIELDS}
    read = {}
    for path in READERS:
        if not path.exists() or path.name == "settings.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for name in VARIABLE.findall(line):
                read.setdefault(name, f"{path.relative_to(REPO_ROOT)}:{number}")
    assert read, "no variable found: the scan is broken"
    unknown = {name: where for name, where in read.items() if name not in known}
    assert not unknown, f"read by the code but not in orchestration/settings.py: {unknown}"


def test_every_setting_has_a_type_and_a_description():
    """Each field says what it is, for the README and for a reader of the code."""
    for group, field in ALL_FIELDS:
        info = group.model_fields[field]
        assert info.annotation is not None, env_name(group, field)
        assert info.description and len(info.description) > 10, env_name(group, field)


@pytest.mark.parametrize(
    ("group", "field"), ALL_FIELDS, ids=[env_name(g, f) for g, f in ALL_FIELDS]
)
def test_every_setting_is_in_the_readme_with_its_default(group, field, clean_env):
    """The README's default, given as the variable's value, is the code's default."""
    name = env_name(group, field)
    rows = _readme_rows()
    assert name in rows, f"README.md (Settings): no row for {name}"
    cell = rows[name]
    default = group.model_fields[field].default
    if cell == "unset":
        assert default is None, f"README says {name} is unset by default; code: {default!r}"
        return
    assert re.fullmatch(r"`[^`]+`", cell), f"README: default of {name} not in backticks"
    clean_env.chdir(REPO_ROOT)  # the README's ./data is the repository's
    clean_env.setenv(name, cell.strip("`"))
    expected = BUNDLED_DATA_DIR if field == "data_dir" else default
    assert getattr(load_group(group), field) == expected, (
        f"README default of {name} is {cell}; code: {expected!r}"
    )


def test_readme_lists_no_setting_the_code_does_not_have():
    """A README row of a variable nothing reads would mislead."""
    known = {env_name(group, field) for group, field in ALL_FIELDS}
    assert set(_readme_rows()) <= known


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("CHOKEPOINT_G_THRESHOLD", "abc", "valid number"),
        ("CHOKEPOINT_TARGET", "postgres", "'duckdb' or 'spark'"),
        ("CHOKEPOINT_DOCS_PORT", "70000", "less than or equal to 65535"),
        ("CHOKEPOINT_VOLUME_BAND", "2.0,0.5", "low < high"),
        ("CHOKEPOINT_FRESHNESS_SEVERITY", "eror", "'warn' or 'error'"),
        ("CHOKEPOINT_WINDOW_START", "2015-13", "YYYY-MM"),
        ("CHOKEPOINT_WINDOW_START", "2014-06", "before the data"),
        ("CHOKEPOINT_CIF_FOB_FACTOR", "0.9", "greater than or equal to 1"),
        ("CHOKEPOINT_DUCKDB_MEMORY_LIMIT", "lots", "512MB"),
    ],
)
def test_a_bad_value_names_the_variable(clean_env, name, value, says):
    """The message names the variable, its value and why it is refused."""
    clean_env.setenv(name, value)
    with pytest.raises(SettingsError) as refused:
        Settings.from_env()
    message = str(refused.value)
    assert f"{name}=" in message and says in message, message
    assert isinstance(refused.value, ValueError)


def test_a_bad_value_among_good_ones_names_only_itself(clean_env):
    """Only the bad variable is blamed."""
    clean_env.setenv("CHOKEPOINT_V_HIGH", "0.4")
    clean_env.setenv("CHOKEPOINT_BORDERLINE_MARGIN", "-1")
    with pytest.raises(SettingsError, match="CHOKEPOINT_BORDERLINE_MARGIN") as refused:
        Settings.from_env()
    assert "CHOKEPOINT_V_HIGH" not in str(refused.value)


def test_the_api_key_is_a_secret(clean_env):
    """The Comtrade key is in no repr, str or dump of the settings."""
    key = "k3y-that-must-not-show"
    clean_env.setenv("COMTRADE_API_KEY", key)
    settings = Settings.from_env()
    assert key not in repr(settings) and key not in str(settings)
    assert key not in settings.model_dump_json()
    assert settings.sources.comtrade_api_key.get_secret_value() == key


def test_a_secret_is_not_echoed_in_an_error(clean_env):
    """A refused setting beside the key does not print the key."""
    clean_env.setenv("CHOKEPOINT_COMTRADE_SOURCE", "nope")
    clean_env.setenv("COMTRADE_API_KEY", "k3y-secret")
    with pytest.raises(SettingsError) as refused:
        Settings.from_env()
    assert "k3y-secret" not in str(refused.value)


def test_comtrade_resource_holds_the_key_as_an_env_var(clean_env, tmp_path):
    """The resource's config names the variable; the value is resolved only at use."""
    import dagster as dg

    from orchestration.defs.resources import ComtradeSourceResource, build_resources

    key = "k3y-for-the-resource"
    clean_env.setenv("COMTRADE_API_KEY", key)
    clean_env.setenv("CHOKEPOINT_COMTRADE_SOURCE", "api")
    clean_env.setenv("CHOKEPOINT_DATA_DIR", str(tmp_path))
    resources = build_resources()
    assert key not in repr(resources["comtrade_source"])
    seen = {}

    @dg.asset
    def probe(comtrade_source: ComtradeSourceResource) -> None:
        seen["key"], seen["api"] = comtrade_source.api_key, comtrade_source.uses_api

    assert dg.materialize([probe], resources=resources).success
    assert seen == {"key": key, "api": True}


def test_compatible_entry_point(clean_env, tmp_path):
    """Settings.from_env() and Settings(data_dir=...) give the attributes callers use."""
    clean_env.setenv("CHOKEPOINT_DATA_DIR", str(tmp_path))
    clean_env.setenv("CHOKEPOINT_DOCS_PORT", "3999")
    settings = Settings.from_env()
    assert settings.data_dir == tmp_path.resolve()
    assert settings.warehouse_path == tmp_path.resolve() / "warehouse" / "chokepoint.duckdb"
    assert settings.landing("customs") == tmp_path.resolve() / "landing" / "customs"
    assert settings.quality_dir == settings.reports_dir / "quality"
    assert settings.docs_url("quality/index.html") == "http://127.0.0.1:3999/quality/index.html"
    other = Settings(data_dir=tmp_path / "other")
    assert other.data_dir == (tmp_path / "other").resolve() and other.docs_port == 3999


def test_get_settings_follows_the_environment(clean_env, tmp_path):
    """Cached, yet a changed variable is seen at once."""
    clean_env.setenv("CHOKEPOINT_DATA_DIR", str(tmp_path / "a"))
    first = get_settings()
    assert get_settings() is first
    clean_env.setenv("CHOKEPOINT_DATA_DIR", str(tmp_path / "b"))
    assert get_settings().data_dir == (tmp_path / "b").resolve()


def test_empty_variable_means_the_default(clean_env):
    """An empty variable is unset, as `os.environ.get(...) or default` was."""
    clean_env.setenv("CHOKEPOINT_DATA_DIR", "")
    clean_env.setenv("CHOKEPOINT_G_THRESHOLD", "")
    settings = Settings.from_env()
    assert settings.data_dir == BUNDLED_DATA_DIR and settings.analysis.g_threshold == 0.5


# dbt's defaults: setting('name', default), setting_number(...), env_var('CHOKEPOINT_X', d)
DBT_SETTING = re.compile(r"setting(?:_number)?\(\s*['\"](\w+)['\"]\s*,\s*['\"]?([^'\")]+)")
DBT_ENV_VAR = re.compile(r"env_var\(\s*'(CHOKEPOINT_\w+)'\s*,\s*'([^']*)'")
# the dbt sentinel for "no end": the settings' None
DBT_OPEN_END = "9999-12"


def _dbt_defaults() -> list[tuple[str, str, str]]:
    found = []
    for path in DBT_PROJECT_DIR.rglob("*"):
        if path.suffix not in (".sql", ".yml") or "target" in path.parts:
            continue
        text = path.read_text()
        found += [(f"CHOKEPOINT_{n.upper()}", d, path.name) for n, d in DBT_SETTING.findall(text)]
        found += [(n, d, path.name) for n, d in DBT_ENV_VAR.findall(text)]
    return found


def test_dbt_defaults_are_the_settings_defaults(clean_env):
    """The dbt project reads the analysis and quality variables itself: its fallbacks must agree."""
    groups = (AnalysisSettings, QualitySettings, GROUPS["runtime"])
    fields = {env_name(g, f): (g, f) for g in groups for f in g.model_fields}
    defaults = _dbt_defaults()
    assert len(defaults) > 20, "the scan found too few dbt settings"
    for name, dbt_default, where in defaults:
        if name not in fields:
            continue  # paths: the pipeline always exports them to dbt
        group, field = fields[name]
        ours = getattr(load_group(group), field)
        if ours is None:
            assert dbt_default == DBT_OPEN_END, (where, name, dbt_default)
            continue
        clean_env.setenv(name, dbt_default)
        assert getattr(load_group(group), field) == ours, (where, name, dbt_default, ours)
        clean_env.delenv(name)


def test_window_start_has_one_home():
    """Partitions, the analysis default and the first year come from WINDOW_START."""
    from orchestration.defs.partitions import annual_partitions, monthly_partitions
    from orchestration.settings import FIRST_YEAR

    assert AnalysisSettings.model_fields["window_start"].default == WINDOW_START
    assert int(WINDOW_START[:4]) == FIRST_YEAR
    assert monthly_partitions.get_first_partition_key() == WINDOW_START + "-01"
    assert annual_partitions.get_first_partition_key() == str(FIRST_YEAR)
