#!/usr/bin/env sh
# Sets up .venv at the repository root from the lock file (pinned, bytecode compiled),
# prepares the dbt manifest and the data folder (CHOKEPOINT_DATA_DIR, default ./data: its
# folders and dagster_home/dagster.yaml), and installs the `chokepoint` command into it.
# Importing the definitions does none of this, so the code server of workspace.yaml
# loads without writing anything.
set -eu
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check uv==0.13.8
.venv/bin/uv pip install --quiet --python .venv/bin/python --compile-bytecode -r requirements.lock
.venv/bin/uv pip install --quiet --python .venv/bin/python --no-deps --compile-bytecode -e .
.venv/bin/python -c "from orchestration.defs.dbt.project import ensure_manifest; ensure_manifest()"
.venv/bin/python -c "from orchestration.settings import Settings, apply_to_environment; apply_to_environment(Settings.from_env())"
echo "environment ready in .venv"
