"""Where the pipeline reads and writes, taken from the environment.

Everything the pipeline writes lives under one data folder so a user can point the whole
platform at their own folder with ``--data-dir`` or ``CHOKEPOINT_DATA_DIR``.
"""

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
BUNDLED_DATA_DIR = REPO_ROOT / "data"

# The warehouse file's stem, which DuckDB uses as the catalog name of its tables.
WAREHOUSE_CATALOG = "chokepoint"
# First month of the analysis window (docs/method.md section 3).
WINDOW_START = "2015-01"
FIRST_YEAR = 2015
# Where `chokepoint docs` and `chokepoint ui` serve the reports folder (docs_server.py).
DEFAULT_DOCS_PORT = 3080


@dataclass(frozen=True)
class Settings:
    data_dir: Path

    @classmethod
    def from_env(cls) -> "Settings":
        raw = os.environ.get("CHOKEPOINT_DATA_DIR") or str(BUNDLED_DATA_DIR)
        return cls(data_dir=Path(raw).expanduser().resolve())

    @property
    def warehouse_path(self) -> Path:
        return self.data_dir / "warehouse" / f"{WAREHOUSE_CATALOG}.duckdb"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def quality_dir(self) -> Path:
        return self.reports_dir / "quality"

    @property
    def docs_port(self) -> int:
        return int(os.environ.get("CHOKEPOINT_DOCS_PORT") or DEFAULT_DOCS_PORT)

    def docs_url(self, relative: str) -> str:
        """The address of a file under reports/ (``relative`` to it, e.g.
        quality/index.html) as the docs server serves it."""
        return f"http://127.0.0.1:{self.docs_port}/{relative}"

    @property
    def dagster_home(self) -> Path:
        return self.data_dir / "dagster_home"

    def landing(self, source: str) -> Path:
        return self.data_dir / "landing" / source

    @property
    def reference_dir(self) -> Path:
        """Shipped reference files; a user's own data folder may override them."""
        own = self.data_dir / "reference"
        return own if own.exists() else BUNDLED_DATA_DIR / "reference"

    @property
    def real_dir(self) -> Path:
        own = self.data_dir / "real"
        return own if own.exists() else BUNDLED_DATA_DIR / "real"

    def ensure_dirs(self) -> None:
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


def apply_to_environment(settings: Settings) -> None:
    """Export the settings that subprocesses (dbt, the Dagster UI) read."""
    settings.ensure_dirs()
    os.environ["CHOKEPOINT_DATA_DIR"] = str(settings.data_dir)
    os.environ["CHOKEPOINT_WAREHOUSE"] = str(settings.warehouse_path)
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    write_dagster_yaml(settings.dagster_home)


def write_dagster_yaml(home: Path) -> None:
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
        target.write_text(wanted)
