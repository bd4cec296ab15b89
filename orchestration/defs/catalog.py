"""What each non-dbt asset's page shows: its warehouse table, columns, owner and tags.

dbt assets get theirs from the dbt translator (orchestration/defs/dbt/assets.py); the
ingestion, reference, report and serving assets get them here, in one place, so the
asset graph reads the same way everywhere: layer and domain tags, one owner, and for
every table its name in the warehouse and its columns.
"""

import functools
import hashlib
import sys
from pathlib import Path

import dagster as dg

from orchestration.defs.dbt.assets import OWNER
from orchestration.lib.comtrade.records import SCHEMA as COMTRADE_SCHEMA
from orchestration.lib.customs.store import TRADE_COLUMNS
from orchestration.settings import WAREHOUSE_CATALOG


def _schema(columns: list[tuple[str, str]]) -> dg.TableSchema:
    return dg.TableSchema(columns=[dg.TableColumn(name, kind) for name, kind in columns])


def _ddl_columns(ddl: str) -> list[tuple[str, str]]:
    parts = [c.split() for c in ddl.replace("\n", " ").split(",") if c.strip()]
    return [(p[0], p[1]) for p in parts]


COLUMNS = {
    "raw/customs_monthly_trade": _schema(_ddl_columns(TRADE_COLUMNS)),
    "raw/comtrade_annual_flows": _schema(COMTRADE_SCHEMA),
    "raw/gdp_annual": _schema(
        [
            ("year", "INTEGER"),
            ("iso3", "VARCHAR"),
            ("gdp_usd", "DOUBLE"),
            ("source", "VARCHAR"),
            ("vintage", "VARCHAR"),
            ("is_estimate", "BOOLEAN"),
        ]
    ),
    "raw/fx_monthly": _schema(
        [("month", "VARCHAR"), ("country", "VARCHAR"), ("cny_per_usd", "DOUBLE")]
    ),
}
# Written in the customs asset's step (store.py) from the manifests of the downloads; a
# spec of its own so the dbt source that reads it sits in the raw layer of the graph.
DECLARED_COVERAGE = dg.AssetSpec(
    ["raw", "customs_declared_coverage"],
    deps=[["raw", "customs_monthly_trade"]],
    kinds={"duckdb"},
    description="The codes each customs download's query asked for (from the manifest next "
    "to the files); written by the step of raw/customs_monthly_trade.",
)
DOMAINS = {"customs": "customs", "comtrade": "comtrade", "gdp": "gdp", "fx": "gdp"}


def describe(spec: dg.AssetSpec) -> dg.AssetSpec:
    """The spec with its catalog facts: owner, layer, table name, column schema, code version."""
    key = spec.key.to_user_string()
    layer = {"raw": "raw", "raw_ref": "reference"}.get(spec.key.path[0], spec.group_name)
    tags = {"layer": layer or "other"}
    domain = next((d for word, d in DOMAINS.items() if word in key), None)
    if domain or layer == "reference":
        tags["domain"] = domain or "reference"
    metadata = {}
    if layer in ("raw", "reference"):
        metadata["dagster/table_name"] = f"{WAREHOUSE_CATALOG}.{'.'.join(spec.key.path)}"
    if key in COLUMNS:
        metadata["dagster/column_schema"] = COLUMNS[key]
    spec = spec.merge_attributes(owners=[OWNER], tags=tags, metadata=metadata)
    # the groups are the layers: the ingestion assets of every source form "raw"
    return spec.replace_attributes(group_name=layer) if layer in ("raw", "reference") else spec


DEFS_DIR = Path(__file__).parent
# Code an asset's step runs whatever its domain: the audit and its rules, the load log,
# partitions, paths. A change there is a change of every Python asset's code.
SHARED_CODE = [
    DEFS_DIR / "quality",
    DEFS_DIR.parent / "settings.py",
    *sorted(DEFS_DIR.glob("*.py")),
]


def digest(roots: list[Path], base: Path) -> str:
    """Twelve hex digits of every .py file under ``roots`` (files or folders).

    Each file is named by its path from ``base``: a renamed, added or edited file changes it.
    """
    files = sorted(
        {f for root in roots for f in ([root] if root.is_file() else root.rglob("*.py"))}
    )
    sha = hashlib.sha256()
    for path in files:
        sha.update(path.relative_to(base).as_posix().encode() + b"\0")
        sha.update(path.read_bytes())
    return sha.hexdigest()[:12]


@functools.cache
def code_version(module: str) -> str:
    """The code version of an asset defined in ``module``.

    A digest of the Python its step runs, its domain package (the module's folder) and the
    shared modules above. dbt assets get theirs from dagster-dbt (the checksum of each model's
    SQL).
    """
    package = Path(sys.modules[module].__file__).parent
    return digest([package, *SHARED_CODE], DEFS_DIR.parent)


def _module(asset) -> str | None:
    fn = getattr(getattr(asset, "op", None), "compute_fn", None)
    return getattr(getattr(fn, "decorated_fn", fn), "__module__", None)


def with_catalog(assets: list) -> list:
    """Every asset (or spec) of the list with its catalog facts added."""
    described = []
    for asset in assets:
        module = _module(asset)
        version = code_version(module) if module else None

        def one(spec: dg.AssetSpec, version=version) -> dg.AssetSpec:
            spec = describe(spec)
            return spec.replace_attributes(code_version=version) if version else spec

        described.extend(dg.map_asset_specs(one, [asset]))
    return described
