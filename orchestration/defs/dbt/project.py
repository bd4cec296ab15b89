"""The dbt project and its manifest."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.settings import DBT_PROJECT_DIR, PathSettings, load_group

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_executable() -> str:
    """The dbt of the running environment, so nothing depends on PATH being activated."""
    local = Path(sys.executable).parent / "dbt"
    return str(local) if local.exists() else (shutil.which("dbt") or "dbt")


def _sources_newer_than(manifest: Path) -> bool:
    """Whether the manifest is stale.

    A model, macro, seed, test or project file changed after the manifest was parsed
    (a pull, a branch switch): the manifest is stale.
    """
    built = manifest.stat().st_mtime
    roots = [DBT_PROJECT_DIR / d for d in ("models", "macros", "seeds", "tests")]
    files = [
        DBT_PROJECT_DIR / "dbt_project.yml",
        *(p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()),
    ]
    return any(p.stat().st_mtime > built for p in files)


def parsed_manifest() -> Path:
    """The manifest the definitions load.

    The manifest the definitions load, as it is: importing the definitions never parses
    (that would write at import). ``./bootstrap.sh``, ``chokepoint run`` and ``chokepoint
    ui`` call :func:`ensure_manifest` first.
    """
    manifest = dbt_project.manifest_path
    if not manifest.exists():
        raise FileNotFoundError(
            f"{manifest}: no dbt manifest; run ./bootstrap.sh (or any chokepoint run) to "
            "parse the dbt project first"
        )
    return manifest


def ensure_manifest() -> Path:
    """Parse the dbt project when its manifest is missing or stale.

    Parse the dbt project when its manifest is missing or older than a source file
    (docs/architecture.md (stack notes: dbt manifest outside dagster dev)); set-up work of
    bootstrap.sh and the CLI, never of an import.
    """
    manifest = dbt_project.manifest_path
    if not manifest.exists() or _sources_newer_than(manifest):
        env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        if load_group(PathSettings).warehouse is None:
            # parsing opens no data: a throwaway file, never the user's warehouse
            env["CHOKEPOINT_WAREHOUSE"] = str(DBT_PROJECT_DIR / "target" / "parse.duckdb")
        subprocess.run(
            [
                dbt_executable(),
                "parse",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--quiet",
            ],
            check=True,
            env=env,
            cwd=DBT_PROJECT_DIR,
        )
    return manifest
