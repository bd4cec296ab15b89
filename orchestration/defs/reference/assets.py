"""Reference files (UNSD HS and BEC tables, country codes, technology batches) -> raw_ref.

The hand-curated small tables are dbt seeds; these are the shipped public files and the
user-replaceable batch lists, read as they are so a user can swap a file without code.
"""

import csv
import re
from pathlib import Path

import dagster as dg

from orchestration.defs.resources import WarehouseResource
from orchestration.settings import Settings

BATCH_COLUMNS = ["hs8", "description", "group_id", "tech_no", "valid_from", "valid_to",
                 "reason", "provenance"]
BATCH_FILE = re.compile(r"^batch_(\d+)_([a-z0-9_]+)\.csv$")

# table -> (file under the reference folder, read_csv options)
FILES = {
    "hs_bec_2012": ("bec/unsd_hs2012_to_bec4.csv", "names=['hs6','bec4','relationship']"),
    "hs_bec_2017": ("bec/unsd_hs2017_to_bec4.csv", "names=['hs6','bec4','relationship']"),
    "hs_bec_2022": ("bec/unsd_hs2022_to_bec4.csv", "names=['hs6','bec4','relationship']"),
    "bec4_desc": ("bec/bec4_desc.csv", "header=true"),
    "hs2017_to_hs2012": ("hs/hs2017_to_hs2012.csv", "header=true"),
    "hs2022_to_hs2017": ("hs/hs2022_to_hs2017.csv", "header=true"),
    "hs2022_nomenclature": ("hs/harmonized-system.csv", "header=true"),
    "hs_concordance_consolidated": (
        "hs/HS_consolidated_comtrade_concordances.csv",
        "names=['code_after','code_before','relationship','adjustment']",
    ),
    "country_codes": ("countries/country-codes.csv", "header=true"),
    "oecd_members": ("countries/oecd_members_38.csv", "header=true"),
}
REFERENCE_KEYS = {name: dg.AssetKey(["raw_ref", name]) for name in [*FILES, "tech_batches"]}


class BatchFileError(ValueError):
    pass


def read_batches(batch_dir: Path) -> list[dict]:
    """Every ``batch_<n>_<name>.csv`` is a batch; a malformed row names file, line, field."""
    rows: list[dict] = []
    for path in sorted(batch_dir.glob("*.csv")):
        match = BATCH_FILE.match(path.name)
        if not match:
            raise BatchFileError(
                f"{path}: batch files are named batch_<number>_<name>.csv (e.g. "
                "batch_4_my_list.csv)"
            )
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in BATCH_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise BatchFileError(f"{path}, line 1: missing columns {missing}; "
                                     f"expected {BATCH_COLUMNS}")
            for line, row in enumerate(reader, start=2):
                hs8 = (row["hs8"] or "").strip()
                if not re.fullmatch(r"\d{8}", hs8):
                    raise BatchFileError(f"{path}, line {line}, field 'hs8': {hs8!r} is not "
                                         "an 8-digit code")
                if not (row["group_id"] or "").strip().isdigit():
                    raise BatchFileError(f"{path}, line {line}, field 'group_id': "
                                         f"{row['group_id']!r} is not a group number")
                for field in ("valid_from", "valid_to"):
                    value = (row[field] or "").strip()
                    if value and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
                        raise BatchFileError(f"{path}, line {line}, field '{field}': "
                                             f"{value!r} is not YYYY-MM")
                rows.append({
                    "batch": int(match.group(1)),
                    "batch_name": match.group(2),
                    "hs8": hs8,
                    "description": (row["description"] or "").strip(),
                    "group_id": int(row["group_id"]),
                    "tech_no": int(row["tech_no"]) if (row["tech_no"] or "").strip() else None,
                    "valid_from": (row["valid_from"] or "").strip() or "2015-01",
                    "valid_to": (row["valid_to"] or "").strip() or None,
                    "reason": (row["reason"] or "").strip(),
                    "provenance": (row["provenance"] or "").strip() or path.name,
                    "source_file": path.name,
                })
    return rows


@dg.multi_asset(
    specs=[
        dg.AssetSpec(key, group_name="reference", kinds={"duckdb"},
                     description=f"Reference table {name} as shipped in data/reference.")
        for name, key in REFERENCE_KEYS.items()
    ],
    can_subset=True,
)
def reference_tables(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    settings = Settings.from_env()
    ref = settings.reference_dir
    selected = {k.path[-1] for k in context.selected_asset_keys}
    batches = read_batches(ref / "batches") if "tech_batches" in selected else []
    with warehouse.connect() as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS raw_ref")
        for name, (rel, options) in FILES.items():
            if name not in selected:
                continue
            path = ref / rel
            skip = ", skip=1" if options.startswith("names") else ""
            con.execute(
                f"CREATE OR REPLACE TABLE raw_ref.{name} AS SELECT * FROM read_csv(?, "
                f"all_varchar=true, {options}{skip})",
                [str(path)],
            ).fetchall()
            count = con.execute(f"SELECT count(*) FROM raw_ref.{name}").fetchall()[0][0]
            yield dg.MaterializeResult(
                asset_key=REFERENCE_KEYS[name],
                metadata={"dagster/row_count": count, "file": str(rel)},
            )
        if "tech_batches" in selected:
            import pandas as pd

            df = pd.DataFrame(batches, columns=["batch", "batch_name", "hs8", "description",
                                                "group_id", "tech_no", "valid_from",
                                                "valid_to", "reason", "provenance",
                                                "source_file"])
            df["tech_no"] = df["tech_no"].astype("Int64")
            con.register("incoming", df)
            con.execute(
                "CREATE OR REPLACE TABLE raw_ref.tech_batches AS SELECT * FROM incoming"
            ).fetchall()
            yield dg.MaterializeResult(
                asset_key=REFERENCE_KEYS["tech_batches"],
                metadata={"dagster/row_count": len(df),
                          "batches": dg.MetadataValue.json(sorted(df["batch"].unique().tolist()))},
            )
