"""The one Definitions of the Chokepoint code location.

Importing it writes nothing: folders, ``dagster.yaml`` and the dbt manifest are set-up
work of ``./bootstrap.sh`` and the CLI (a test imports it against an empty data folder
and finds the folder unchanged). The code server only exports the settings subprocesses
read (dbt's profile reads CHOKEPOINT_WAREHOUSE).
"""

import importlib
import importlib.util
import os
import pkgutil

import dagster as dg

import orchestration.defs
from orchestration.defs.resources import build_resources
from orchestration.settings import Settings, exported_environment

# only the environment subprocesses read; no folder or file (set-up work of the CLI)
os.environ.update(exported_environment(Settings.from_env()))
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


def domain_definitions() -> list[dg.Definitions]:
    """The ``defs`` of every domain package that has a ``definitions`` module.

    A new domain under ``orchestration/defs/`` is loaded by adding its definitions
    module; nothing here names it.
    """
    found = []
    for package in pkgutil.iter_modules(orchestration.defs.__path__):
        if package.ispkg:
            name = f"orchestration.defs.{package.name}.definitions"
            if importlib.util.find_spec(name) is not None:
                found.append(importlib.import_module(name).defs)
    return found


defs = dg.Definitions.merge(
    *domain_definitions(),
    dg.Definitions(
        resources=build_resources(),
        # One process: DuckDB has one writer, and per-step subprocesses re-import the stack.
        executor=dg.in_process_executor,
    ),
)
