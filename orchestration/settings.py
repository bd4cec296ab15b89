"""Every setting the pipeline reads from the environment, in one typed object.

Each ``CHOKEPOINT_*`` variable (and the Comtrade key and test endpoints) is a field of one
of five groups, with its type, default and description:

- ``paths``: where the pipeline reads and writes (the data folder and what the pipeline
  derives from it for dbt and Spark);
- ``runtime``: how it runs (warehouse target, docs port, DuckDB memory);
- ``sources``: where the annual sources come from (Comtrade files or API, IMF or World Bank);
- ``analysis``: the method's settings, read by the dbt models (docs/method.md);
- ``quality``: thresholds and severities of the data checks.

``Settings.from_env()`` (or the cached ``get_settings()``) reads them all; a value the
pipeline cannot use raises :class:`SettingsError` naming the variable. The README's
Settings section lists the same variables with the same defaults (tests/test_settings.py).
dbt reads the analysis variables itself through ``env_var``; the pipeline exports the
window start so that dbt and Python share one default (:func:`exported_environment`).
"""

import os
import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from orchestration.lib.atomic import write_text

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
BUNDLED_DATA_DIR = REPO_ROOT / "data"

# The warehouse file's stem, which DuckDB uses as the catalog name of its tables.
WAREHOUSE_CATALOG = "chokepoint"
# First month of the analysis window (docs/method.md section 3): the one home of this
# date. Partitions, the CLI's --from floor, the loaders' "outside the window" and the
# default of CHOKEPOINT_WINDOW_START (exported to dbt) all read it from here.
WINDOW_START = "2015-01"
FIRST_YEAR = int(WINDOW_START[:4])
# Where `chokepoint docs` and `chokepoint ui` serve the reports folder (docs_server.py).
DEFAULT_DOCS_PORT = 3080

PREFIX = "CHOKEPOINT_"
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MEMORY = re.compile(r"^\d+(\.\d+)?\s*[KMGT]i?B$", re.IGNORECASE)


class SettingsError(ValueError):
    """A setting the pipeline cannot use; the message names the environment variable."""


def _group_config(**extra: Any) -> SettingsConfigDict:
    # An empty variable means "not set", as `os.environ.get(...) or default` did before.
    return SettingsConfigDict(
        env_prefix=PREFIX, env_ignore_empty=True, frozen=True, extra="ignore", **extra
    )


def _lower(value: Any) -> Any:
    """Case-insensitive choices: ``Spark`` and ``spark`` select the same target."""
    return value.strip().lower() if isinstance(value, str) else value


def _month(value: str | None) -> str | None:
    if value is not None and not MONTH.match(value):
        raise ValueError(f"expected a month YYYY-MM, got {value!r}")
    return value


class PathSettings(BaseSettings):
    """Where the pipeline reads and writes: everything lives under the data folder."""

    model_config = _group_config()

    data_dir: Path = Field(
        BUNDLED_DATA_DIR,
        description="the data folder: landing files, warehouse, reports, Dagster instance "
        "(`--data-dir` sets it); default the repository's `./data`",
    )
    warehouse: Path | None = Field(
        None,
        description="exported by the pipeline as `<data_dir>/warehouse/chokepoint.duckdb` "
        "for the dbt profile and subprocesses; a value set by hand is replaced",
    )
    lake_dir: Path | None = Field(
        None,
        description="Spark target only: folder of the Parquet exports of the raw tables "
        "that dbt-spark registers as sources (set by the Spark build)",
    )

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()


class RuntimeSettings(BaseSettings):
    """How the pipeline runs: the warehouse target, the docs port, DuckDB's memory."""

    model_config = _group_config()

    target: Literal["duckdb", "spark"] = Field(
        "duckdb",
        description="warehouse the dbt models run on: `duckdb` (a local file under "
        "the data folder) or `spark` (dbt-spark)",
    )
    docs_port: int = Field(
        DEFAULT_DOCS_PORT,
        ge=1,
        le=65535,
        description="port on 127.0.0.1 where `chokepoint ui` and `chokepoint docs` serve "
        "reports/ (dbt docs, quality report, charts)",
    )
    duckdb_memory_limit: str = Field(
        "2GB",
        description="DuckDB memory limit per connection of the pipeline and of dbt "
        "(it spills to disk beyond it)",
    )
    customs_memory_limit: str = Field(
        "512MB", description="DuckDB memory limit of the customs file parser's connection"
    )

    _target = field_validator("target", mode="before")(_lower)

    @field_validator("duckdb_memory_limit", "customs_memory_limit")
    @classmethod
    def _memory(cls, value: str) -> str:
        if not MEMORY.match(value.strip()):
            raise ValueError(f"expected a size such as 512MB or 2GB, got {value!r}")
        return value.strip()


class SourceSettings(BaseSettings):
    """Where the annual sources come from; the Comtrade key is a secret."""

    model_config = _group_config(populate_by_name=True)

    comtrade_source: Literal["files", "api"] = Field(
        "files",
        description="`files`: Comtrade files in landing/comtrade only; `api`: also "
        "the Comtrade API (needs `COMTRADE_API_KEY`)",
    )
    gdp_source: Literal["imf", "worldbank"] = Field(
        "imf",
        description="`imf`: the bundled IMF WEO file; `worldbank`: the World Bank API "
        "(NY.GDP.MKTP.CD)",
    )
    comtrade_api_key: SecretStr | None = Field(
        None,
        validation_alias="COMTRADE_API_KEY",
        description="UN Comtrade API key, only from the environment; never logged or written",
    )
    comtrade_base_url: str | None = Field(
        None,
        validation_alias="COMTRADE_BASE_URL",
        description="another Comtrade API address (tests point it at a local server)",
    )
    worldbank_base_url: str | None = Field(
        None,
        validation_alias="WORLDBANK_BASE_URL",
        description="another World Bank API address (tests point it at a local server)",
    )

    _choices = field_validator("comtrade_source", "gdp_source", mode="before")(_lower)


class AnalysisSettings(BaseSettings):
    """The method's settings (docs/method.md).

    dbt reads the same variables through its ``setting`` macro; the defaults here are
    dbt's defaults (tests/test_settings.py).
    """

    model_config = _group_config()

    window_start: str = Field(WINDOW_START, description="first month of the V and G indices")
    window_end: str | None = Field(
        None, description="last month of the V and G indices; unset: the latest in the data"
    )
    frequency: Literal["monthly", "annual"] = Field(
        "monthly", description="`monthly` or `annual` series for V and G"
    )
    growth_weights: Literal["linear", "equal"] = Field(
        "linear", description="growth weights: `linear` (w_t = t) or `equal`"
    )
    growth_base: Literal["first", "first_year_mean"] = Field(
        "first", description="growth base: the `first` period or the `first_year_mean`"
    )
    g_threshold: float = Field(0.5, description="high growth when G > threshold")
    v_high: float = Field(0.30, gt=0, description="high volatility when V > this")
    v_low: float = Field(0.235, gt=0, description="low volatility when V < this")
    borderline_margin: float = Field(
        0.01, ge=0, description="borderline flag: distance of V or G to any threshold"
    )
    intermediate_bec_set: Literal["sna", "manufactured"] = Field(
        "sna", description="intermediate goods: `sna`, or `manufactured` (BEC 22, 42, 53)"
    )
    index_base_year: int = Field(2018, description="base year of the batch index")
    dependence_ratio: float = Field(
        2, gt=0, description="a code is import-dependent when imports > ratio x exports"
    )
    dependence_strong_below: float = Field(
        0.10, ge=0, le=1, description="import dependence rated strong below this share"
    )
    dependence_weak_above: float = Field(
        0.30, ge=0, le=1, description="import dependence rated weak above this share"
    )
    dominance_threshold: float = Field(
        0.30, ge=0, le=1, description="China's world share that makes a code dominant"
    )
    competitiveness_strong_share: float = Field(
        0.20, ge=0, le=1, description="competitiveness rated strong from this world share"
    )
    competitiveness_weak_below: float = Field(
        0.10, ge=0, le=1, description="competitiveness rated weak below this world share"
    )
    oecd_membership: Literal["today", "as_of_year"] = Field(
        "today", description="OECD members: as `today`, or `as_of_year` of each record"
    )
    hs_conversion: Literal["unsd", "trade_weights"] = Field(
        "unsd",
        description="Comtrade codes into HS2017: `unsd` (one target per code) or "
        "`trade_weights` (a split by the successors' world trade)",
    )
    cif_fob_factor: float = Field(
        1.06, ge=1, description="CIF/FOB factor of mirror flows (CIF includes freight)"
    )
    customs_comtrade_tolerance: float = Field(
        0.02,
        ge=0,
        description="share by which customs' and Comtrade's China totals may "
        "differ before a check warns",
    )
    manufactured_min_code_coverage: float = Field(
        0.95,
        ge=0,
        le=1,
        description="share of the HS2017 codes of chapters 28-96 (without "
        "71) needed for the manufactured-goods world share",
    )

    @field_validator("window_start", "window_end")
    @classmethod
    def _months(cls, value: str | None) -> str | None:
        return _month(value)

    @model_validator(mode="after")
    def _ordered(self) -> "AnalysisSettings":
        if self.window_start < WINDOW_START:
            raise ValueError(
                f"CHOKEPOINT_WINDOW_START={self.window_start!r} is before the "
                f"data, which starts in {WINDOW_START}"
            )
        if self.window_end is not None and self.window_end < self.window_start:
            raise ValueError(
                f"CHOKEPOINT_WINDOW_END={self.window_end!r} is before "
                f"CHOKEPOINT_WINDOW_START={self.window_start!r}"
            )
        if self.v_low > self.v_high:
            raise ValueError(
                f"CHOKEPOINT_V_LOW={self.v_low} is above CHOKEPOINT_V_HIGH={self.v_high}"
            )
        return self


Severity = Literal["warn", "error"]


class QualitySettings(BaseSettings):
    """Thresholds and severities of the checks (``error`` blocks downstream)."""

    model_config = _group_config()

    freshness_as_of: Literal["today"] | date | None = Field(
        None,
        description="`today` or a date: the newest customs month must be as recent as "
        "GACC's release calendar allows on that day; unset: not checked",
    )
    freshness_severity: Severity = Field("warn", description="severity of the freshness check")
    volume_severity: Severity = Field("warn", description="severity of the volume check")
    empty_months_severity: Severity = Field(
        "warn", description="severity of the empty-months check"
    )
    volume_band: Annotated[tuple[float, float], NoDecode] = Field(
        (0.5, 2.0),
        description="a month's rows and USD value must lie within this band "
        "(`low,high`) times the median of the 12 months before",
    )
    max_unmapped_share: float = Field(
        0.05, ge=0, le=1, description="warn when more import value than this has no SNA class"
    )
    grain_tolerance: float = Field(
        0.001, ge=0, description="relative tolerance of the customs grains' reconciliation"
    )
    grain_reconciliation_severity: Severity = Field(
        "warn", description="severity of the customs grains' reconciliation (dbt test)"
    )

    _severities = field_validator(
        "freshness_severity",
        "volume_severity",
        "empty_months_severity",
        "grain_reconciliation_severity",
        "freshness_as_of",
        mode="before",
    )(_lower)

    @field_validator("volume_band", mode="before")
    @classmethod
    def _band(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = tuple(part.strip() for part in value.split(","))
        return value

    @field_validator("volume_band")
    @classmethod
    def _band_order(cls, value: tuple[float, float]) -> tuple[float, float]:
        if not 0 < value[0] < value[1]:
            raise ValueError(f"expected 0 < low < high, got {value[0]},{value[1]}")
        return value

    def freshness_date(self) -> date | None:
        """The day the freshness check judges against, or None when it is off."""
        return date.today() if self.freshness_as_of == "today" else self.freshness_as_of


GROUPS: dict[str, type[BaseSettings]] = {
    "paths": PathSettings,
    "runtime": RuntimeSettings,
    "sources": SourceSettings,
    "analysis": AnalysisSettings,
    "quality": QualitySettings,
}


def env_name(group: type[BaseSettings], field: str) -> str:
    """The environment variable of a field: its alias, else the prefix and its name."""
    alias = group.model_fields[field].validation_alias
    return alias if isinstance(alias, str) else PREFIX + field.upper()


def _describe(group: type[BaseSettings], error: dict) -> str:
    loc = error.get("loc") or ()
    if not loc or loc[0] not in group.model_fields:
        # a rule across fields: its message names the variables
        return error["msg"].removeprefix("Value error, ")
    name = env_name(group, str(loc[0]))
    secret = group.model_fields[str(loc[0])].annotation == SecretStr | None
    shown = "(hidden)" if secret else repr(error.get("input"))
    return f"{name}={shown}: {error['msg'].removeprefix('Value error, ')}"


def load_group(group: type[BaseSettings], **values: Any) -> BaseSettings:
    """One group read from the environment (``values`` override it), or SettingsError."""
    try:
        return group(**values)
    except ValidationError as exc:
        raise SettingsError("; ".join(_describe(group, e) for e in exc.errors())) from None


class Settings(BaseModel):
    """The pipeline's settings: five groups, and the paths derived from the data folder.

    ``Settings(data_dir=path)`` reads everything else from the environment, as
    ``Settings.from_env()`` reads everything.
    """

    model_config = ConfigDict(frozen=True)

    paths: PathSettings
    runtime: RuntimeSettings
    sources: SourceSettings
    analysis: AnalysisSettings
    quality: QualitySettings

    def __init__(self, **values: Any) -> None:
        """Groups not given are read from the environment; ``data_dir`` sets the folder.

        The groups are read here, before pydantic validates, so that a bad value raises
        SettingsError naming its variable rather than an error about the whole object.
        """
        data_dir = values.pop("data_dir", None)
        if data_dir is not None and "paths" not in values:
            values["paths"] = load_group(PathSettings, data_dir=data_dir)
        for name, group in GROUPS.items():
            if name not in values:
                values[name] = load_group(group)
        super().__init__(**values)

    @classmethod
    def from_env(cls) -> "Settings":
        """All settings as the environment gives them now."""
        return cls()

    @property
    def data_dir(self) -> Path:
        """The data folder (CHOKEPOINT_DATA_DIR)."""
        return self.paths.data_dir

    @property
    def warehouse_path(self) -> Path:
        """The DuckDB warehouse file under the data folder."""
        return self.data_dir / "warehouse" / f"{WAREHOUSE_CATALOG}.duckdb"

    @property
    def reports_dir(self) -> Path:
        """Run reports, charts, the dbt docs and the quality report."""
        return self.data_dir / "reports"

    @property
    def quality_dir(self) -> Path:
        """Validation results and the quality report's index.html."""
        return self.reports_dir / "quality"

    @property
    def docs_port(self) -> int:
        """Where the docs server serves reports/ (CHOKEPOINT_DOCS_PORT)."""
        return self.runtime.docs_port

    def docs_url(self, relative: str) -> str:
        """The address of a file under reports/ as the docs server serves it.

        Args:
            relative: the file's path under reports/, e.g. quality/index.html.
        """
        return f"http://127.0.0.1:{self.docs_port}/{relative}"

    @property
    def dagster_home(self) -> Path:
        """The Dagster instance of this data folder."""
        return self.data_dir / "dagster_home"

    def landing(self, source: str) -> Path:
        """The landing folder of a source (customs, comtrade, gdp)."""
        return self.data_dir / "landing" / source

    @property
    def reference_dir(self) -> Path:
        """Shipped reference files; a user's own data folder may override them."""
        own = self.data_dir / "reference"
        return own if own.exists() else BUNDLED_DATA_DIR / "reference"

    @property
    def real_dir(self) -> Path:
        """Bundled real samples; a user's own data folder may override them."""
        own = self.data_dir / "real"
        return own if own.exists() else BUNDLED_DATA_DIR / "real"

    def ensure_dirs(self) -> None:
        """Create the folders the pipeline writes into."""
        for path in (
            self.warehouse_path.parent,
            self.reports_dir,
            self.quality_dir,
            self.dagster_home,
            self.landing("customs"),
            self.landing("comtrade"),
            self.landing("gdp"),
        ):
            path.mkdir(parents=True, exist_ok=True)


def _environment_key() -> tuple[tuple[str, str], ...]:
    aliases = {env_name(group, field) for group in GROUPS.values() for field in group.model_fields}
    return tuple(
        sorted((k, v) for k, v in os.environ.items() if k.startswith(PREFIX) or k in aliases)
    )


@lru_cache(maxsize=8)
def _cached(key: tuple[tuple[str, str], ...]) -> Settings:
    return Settings.from_env()


def get_settings() -> Settings:
    """The settings, read once per state of the environment.

    The cache is keyed on the variables themselves, so a test that sets one (or the CLI's
    ``--data-dir``) is seen at once, while repeated calls in a run cost nothing.
    """
    return _cached(_environment_key())


def exported_environment(settings: Settings) -> dict[str, str]:
    """The variables that subprocesses (dbt, the Dagster UI, run workers) must see."""
    return {
        "CHOKEPOINT_DATA_DIR": str(settings.data_dir),
        "CHOKEPOINT_WAREHOUSE": str(settings.warehouse_path),
        # dbt's `setting('window_start')` then reads the one default above
        "CHOKEPOINT_WINDOW_START": settings.analysis.window_start,
        "DAGSTER_HOME": str(settings.dagster_home),
    }


def apply_to_environment(settings: Settings) -> None:
    """Export the settings that subprocesses (dbt, the Dagster UI) read."""
    settings.ensure_dirs()
    os.environ.update(exported_environment(settings))
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    write_dagster_yaml(settings.dagster_home)


def write_dagster_yaml(home: Path) -> None:
    """The instance's dagster.yaml: telemetry off, runs start when submitted."""
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    # Runs start as soon as they are submitted, from the CLI as from the UI: the default
    # queued coordinator would leave a CLI run waiting for a daemon that may not be running.
    wanted = (
        "telemetry:\n  enabled: false\n"
        "run_coordinator:\n"
        "  module: dagster.core.run_coordinator\n"
        "  class: DefaultRunCoordinator\n"
    )
    if not target.exists() or target.read_text() != wanted:
        write_text(target, wanted)
