"""Reference files -> raw_ref.

UNSD HS and BEC tables, country codes, China Customs' code lists and the technology
batches.

The hand-curated small tables are dbt seeds; these are the shipped public files and the
user-replaceable batch lists, read as they are so a user can swap a file without code.
"""

import csv
import re
from pathlib import Path

import dagster as dg

from orchestration.defs.resources import WarehouseResource
from orchestration.lib.errors import SourceFileError
from orchestration.lib.reference import gacc_codes
from orchestration.settings import Settings

BATCH_COLUMNS = [
    "hs8",
    "description",
    "group_id",
    "tech_no",
    "valid_from",
    "valid_to",
    "reason",
    "provenance",
]
# optional: the code(s) of the row(s) this row carries on after a split, merge or
# renumbering, so the chain is explicit and testable
BATCH_OPTIONAL = ["continues"]
BATCH_FILE = re.compile(r"^batch_(\d+)_([a-z0-9_]+)\.csv$")
GACC_HS8_DIR = "gacc_codes/commodities"

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
REFERENCE_KEYS = {
    name: dg.AssetKey(["raw_ref", name]) for name in [*FILES, "gacc_hs8_codes", "tech_batches"]
}


MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
CODE = re.compile(r"\d{8}")


def read_batches(batch_dir: Path) -> list[dict]:
    """Every ``batch_<n>_<name>.csv`` is a batch; a malformed row names file, line, field."""
    rows: list[dict] = []
    for path in sorted(batch_dir.glob("*.csv")):
        match = BATCH_FILE.match(path.name)
        if not match:
            raise SourceFileError(
                path,
                None,
                None,
                "batch files are named batch_<number>_<name>.csv (e.g. batch_4_my_list.csv)",
            )
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in BATCH_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise SourceFileError(
                    path, 1, None, f"missing columns {missing}; expected {BATCH_COLUMNS}"
                )
            rows += [
                _batch_row(path, line, row, int(match.group(1)), match.group(2))
                for line, row in enumerate(reader, start=2)
            ]
    return rows


def _text(row: dict, field: str) -> str:
    return (row.get(field) or "").strip()


def _check_batch_row(path: Path, line: int, row: dict) -> None:
    """Raise SourceFileError naming the first field of the row that is malformed."""
    if not CODE.fullmatch(_text(row, "hs8")):
        raise SourceFileError(path, line, "hs8", f"{_text(row, 'hs8')!r} is not an 8-digit code")
    if not _text(row, "group_id").isdigit():
        raise SourceFileError(path, line, "group_id", f"{row['group_id']!r} is not a group number")
    for field in ("valid_from", "valid_to"):
        value = _text(row, field)
        if value and not MONTH.fullmatch(value):
            raise SourceFileError(path, line, field, f"{value!r} is not YYYY-MM")
    valid_from, valid_to = _text(row, "valid_from") or "2015-01", _text(row, "valid_to")
    if valid_to and valid_to < valid_from:
        raise SourceFileError(
            path, line, "valid_to", f"{valid_to} is before valid_from {valid_from}"
        )
    bad = [c for c in _text(row, "continues").replace(";", " ").split() if not CODE.fullmatch(c)]
    if bad:
        raise SourceFileError(
            path, line, "continues", f"{bad} are not 8-digit codes (separate codes by spaces)"
        )


def _batch_row(path: Path, line: int, row: dict, batch: int, name: str) -> dict:
    """One checked row of a batch file as a row of raw_ref.tech_batches."""
    _check_batch_row(path, line, row)
    continues = _text(row, "continues").replace(";", " ").split()
    return {
        "batch": batch,
        "batch_name": name,
        "hs8": _text(row, "hs8"),
        "description": _text(row, "description"),
        "group_id": int(row["group_id"]),
        "tech_no": int(row["tech_no"]) if _text(row, "tech_no") else None,
        "valid_from": _text(row, "valid_from") or "2015-01",
        "valid_to": _text(row, "valid_to") or None,
        "continues": " ".join(continues) or None,
        "reason": _text(row, "reason"),
        "provenance": _text(row, "provenance") or path.name,
        "source_file": path.name,
        "source_line": line,
    }


def write_gacc_hs8_codes(con, rows: list[dict]) -> dict[str, int]:
    """raw_ref.gacc_hs8_codes from gacc_codes.read_lists(); returns codes per list year."""
    import pandas as pd

    codes = pd.DataFrame(rows, columns=gacc_codes.COLUMNS)
    # typed by name: a list in one language only leaves the other's columns empty
    typed = ", ".join(
        f"CAST({c} AS {'INTEGER' if c == 'list_year' else 'VARCHAR'}) AS {c}"
        for c in gacc_codes.COLUMNS
    )
    con.execute("CREATE SCHEMA IF NOT EXISTS raw_ref")
    con.register("incoming_codes", codes)
    con.execute(
        f"CREATE OR REPLACE TABLE raw_ref.gacc_hs8_codes AS SELECT {typed} FROM incoming_codes"
    ).fetchall()
    con.unregister("incoming_codes")
    return {str(k): int(v) for k, v in codes.groupby("list_year").size().items()}


def write_tech_batches(con, rows: list[dict]) -> None:
    """raw_ref.tech_batches from read_batches()."""
    import pandas as pd

    df = pd.DataFrame(
        rows,
        columns=[
            "batch",
            "batch_name",
            "hs8",
            "description",
            "group_id",
            "tech_no",
            "valid_from",
            "valid_to",
            "continues",
            "reason",
            "provenance",
            "source_file",
            "source_line",
        ],
    )
    df["tech_no"] = df["tech_no"].astype("Int64")
    con.execute("CREATE SCHEMA IF NOT EXISTS raw_ref")
    con.register("incoming", df)
    con.execute(
        "CREATE OR REPLACE TABLE raw_ref.tech_batches AS SELECT * REPLACE "
        "(CAST(continues AS VARCHAR) AS continues) FROM incoming"
    ).fetchall()
    con.unregister("incoming")


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            group_name="reference",
            kinds={"duckdb"},
            description=f"Reference table {name} as shipped in data/reference.",
        )
        for name, key in REFERENCE_KEYS.items()
    ],
    can_subset=True,
)
def reference_tables(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Load the selected reference tables from the reference folder, as shipped."""
    settings = Settings.from_env()
    ref = settings.reference_dir
    selected = {k.path[-1] for k in context.selected_asset_keys}
    batches = read_batches(ref / "batches") if "tech_batches" in selected else []
    gacc = gacc_codes.read_lists(ref / GACC_HS8_DIR) if "gacc_hs8_codes" in selected else []
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
        if "gacc_hs8_codes" in selected:
            per_year = write_gacc_hs8_codes(con, gacc)
            yield dg.MaterializeResult(
                asset_key=REFERENCE_KEYS["gacc_hs8_codes"],
                metadata={
                    "dagster/row_count": len(gacc),
                    "folder": GACC_HS8_DIR,
                    "codes_per_year": dg.MetadataValue.json(per_year),
                },
            )
        if "tech_batches" in selected:
            write_tech_batches(con, batches)
            yield dg.MaterializeResult(
                asset_key=REFERENCE_KEYS["tech_batches"],
                metadata={
                    "dagster/row_count": len(batches),
                    "batches": dg.MetadataValue.json(sorted({b["batch"] for b in batches})),
                },
            )
