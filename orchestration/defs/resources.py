"""Resources, built from the one settings object (:mod:`orchestration.settings`).

Assets take what they need as resources rather than reading the environment: the
warehouse, dbt, the Comtrade and GDP sources, and the quality thresholds. The Comtrade key
is a ``dg.EnvVar``: Dagster resolves it when the resource is used, so the key itself is
never part of the resource's config, its logs or the UI.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource

from orchestration.defs.dbt.project import dbt_executable
from orchestration.settings import (
    DBT_PROJECT_DIR,
    QualitySettings,
    Settings,
    SourceSettings,
    env_name,
    get_settings,
)


def duckdb_memory_limit() -> str:
    """DuckDB's memory bound (CHOKEPOINT_DUCKDB_MEMORY_LIMIT).

    DuckDB spills to disk beyond it, so the full record on one machine stays within a few
    GB. The dbt profile reads the same variable.
    """
    return get_settings().runtime.duckdb_memory_limit


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB file the pipeline writes.

    Connections are short-lived because DuckDB allows one writing process and dbt opens
    the same file in its own steps.
    """

    path: str
    # None: CHOKEPOINT_DUCKDB_MEMORY_LIMIT when the connection opens
    memory_limit: str | None = None

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the warehouse, closed on leaving the block."""
        limit = self.memory_limit or duckdb_memory_limit()
        con = duckdb.connect(self.path, config={"memory_limit": limit})
        try:
            yield con
        finally:
            con.close()


class ComtradeSourceResource(dg.ConfigurableResource):
    """Where Comtrade records come from: the landing files, and the API when asked."""

    mode: str = "files"
    # Set from dg.EnvVar("COMTRADE_API_KEY"): config holds the variable's name only.
    api_key: str | None = None
    base_url: str | None = None

    @property
    def uses_api(self) -> bool:
        """Whether the API is read besides the landing files."""
        return self.mode == "api"

    def connector(self, cache_dir: Path):
        """The API client with this resource's key and address.

        Args:
            cache_dir: where the client keeps raw responses (landing/comtrade/_api_cache).
        """
        from orchestration.lib.comtrade.api import ComtradeConnector

        return ComtradeConnector(
            cache_dir=cache_dir, api_key=self.api_key or None, base_url=self.base_url
        )


class GdpSourceResource(dg.ConfigurableResource):
    """Where GDP comes from: the bundled IMF WEO file or the World Bank API."""

    source: str = "imf"
    worldbank_base_url: str | None = None

    @property
    def uses_worldbank(self) -> bool:
        """Whether GDP is read from the World Bank API."""
        return self.source == "worldbank"


class QualityThresholdsResource(dg.ConfigurableResource):
    """The checks' thresholds and severities (``error`` blocks downstream)."""

    freshness_as_of: str | None = None
    freshness_severity: str = "warn"
    volume_severity: str = "warn"
    empty_months_severity: str = "warn"
    volume_band_low: float = 0.5
    volume_band_high: float = 2.0
    max_unmapped_share: float = 0.05

    def freshness_date(self) -> date | None:
        """The day the freshness check judges against, or None when it is off."""
        if self.freshness_as_of is None:
            return None
        return (
            date.today()
            if self.freshness_as_of == "today"
            else date.fromisoformat(self.freshness_as_of)
        )


def comtrade_source(sources: SourceSettings) -> ComtradeSourceResource:
    """The Comtrade resource; the key goes in as an EnvVar, never as its value."""
    key_var = env_name(SourceSettings, "comtrade_api_key")
    # An unset EnvVar fails the resource even in files mode, so only name one that exists.
    key = dg.EnvVar(key_var) if sources.comtrade_api_key is not None else None
    return ComtradeSourceResource(
        mode=sources.comtrade_source, api_key=key, base_url=sources.comtrade_base_url
    )


def quality_thresholds(quality: QualitySettings) -> QualityThresholdsResource:
    """The quality resource from the quality settings."""
    as_of = quality.freshness_as_of
    return QualityThresholdsResource(
        freshness_as_of=None if as_of is None else str(as_of),
        freshness_severity=quality.freshness_severity,
        volume_severity=quality.volume_severity,
        empty_months_severity=quality.empty_months_severity,
        volume_band_low=quality.volume_band[0],
        volume_band_high=quality.volume_band[1],
        max_unmapped_share=quality.max_unmapped_share,
    )


def build_resources(settings: Settings | None = None) -> dict:
    """Every resource of the definitions, from ``settings`` (default: the environment)."""
    # no folders made here: building the definitions writes nothing (the CLI makes them)
    settings = settings or Settings.from_env()
    return {
        "warehouse": WarehouseResource(
            path=str(settings.warehouse_path), memory_limit=settings.runtime.duckdb_memory_limit
        ),
        "dbt": DbtCliResource(
            project_dir=str(DBT_PROJECT_DIR),
            profiles_dir=str(DBT_PROJECT_DIR),
            target=settings.runtime.target,
            dbt_executable=dbt_executable(),
        ),
        "comtrade_source": comtrade_source(settings.sources),
        "gdp_source": GdpSourceResource(
            source=settings.sources.gdp_source,
            worldbank_base_url=settings.sources.worldbank_base_url,
        ),
        "quality_thresholds": quality_thresholds(settings.quality),
    }
