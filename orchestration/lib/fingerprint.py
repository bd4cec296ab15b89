"""What the last build was built from, so a run with nothing new can skip the build.

The fingerprint covers the current customs slices (file hashes per month and flow), the
Comtrade and GDP tables (counts, totals, vintages), the reference files, the dbt project
(models, macros, seeds) and the analysis settings (CHOKEPOINT_* variables). It is
written beside the warehouse after a successful build.
"""

import hashlib
import json
import os
from pathlib import Path

import duckdb

from orchestration.settings import DBT_PROJECT_DIR, Settings

QUERIES = [
    "SELECT period_month, flow, list(DISTINCT file_sha256 ORDER BY file_sha256) "
    "FROM raw.customs_monthly_trade GROUP BY ALL ORDER BY ALL",
    # bit_xor of row hashes: exact and order-free (a float sum is neither)
    "SELECT count(*), bit_xor(hash(year, reporter_code, partner_code, flow, hs6, "
    "classification_code, primary_value_usd, vintage, origin)) FROM raw.comtrade_annual_flows",
    "SELECT count(*), bit_xor(hash(year, iso3, gdp_usd, vintage)) FROM raw.gdp_annual",
    "SELECT count(*) FROM indicators.ind_group_patterns",
]


def _tree_digest(root: Path, digest) -> None:
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if "target" in path.relative_to(root).parts or path.suffix == ".pyc":
            continue
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())


def compute(settings: Settings) -> str | None:
    """None when the warehouse lacks a table the build writes or reads. The run's window
    is not part of it: the build reads every current slice, whatever the window.
    """
    digest = hashlib.sha256()
    settings_env = sorted(
        (k, v) for k, v in os.environ.items()
        if k.startswith("CHOKEPOINT_") and k not in ("CHOKEPOINT_DATA_DIR", "CHOKEPOINT_WAREHOUSE")
    )
    digest.update(json.dumps(settings_env).encode())
    for root in (settings.reference_dir, DBT_PROJECT_DIR / "models", DBT_PROJECT_DIR / "macros",
                 DBT_PROJECT_DIR / "seeds"):
        _tree_digest(root, digest)
    digest.update((DBT_PROJECT_DIR / "dbt_project.yml").read_bytes())
    if not settings.warehouse_path.exists():
        return None
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        for query in QUERIES:
            digest.update(json.dumps(con.execute(query).fetchall(), default=str).encode())
    except duckdb.Error:
        return None
    finally:
        con.close()
    return digest.hexdigest()


def _path(settings: Settings) -> Path:
    return settings.warehouse_path.parent / "build_fingerprint.json"


def stored(settings: Settings) -> str | None:
    path = _path(settings)
    return json.loads(path.read_text()).get("fingerprint") if path.exists() else None


def store(settings: Settings, fingerprint: str) -> None:
    path = _path(settings)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"fingerprint": fingerprint}))
    tmp.replace(path)
