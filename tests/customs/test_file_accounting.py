"""Every row of a customs file is accounted for (issue 24): stored (current), a month
outside the run's window (kept as a vintage only), or a duplicate of a key a newer file
holds. Counts worked out by hand from tests/fixtures/customs/grains: part1 has 5 rows
(3 of 2024-01, 2 of 2024-02), part2 3 (2024-01 and 02), overlap 5 (2 identical to part1's
2024-01 rows, 3 of 2024-04)."""

from pathlib import Path

import duckdb

from orchestration.lib import accounting
from orchestration.lib.customs import store
from orchestration.lib.customs.parsing import parse_customs_file

GRAINS = Path(__file__).resolve().parents[1] / "fixtures" / "customs" / "grains" / "stage1"
WINDOW = ["2024-01", "2024-02", "2024-03"]


def test_customs_accounts_add_up(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    store.ensure_tables(con)
    shas = []
    for i, name in enumerate(
        ["gacc_hs8_import_part1.csv", "gacc_hs8_import_part2.csv", "gacc_hs8_import_overlap.csv"]
    ):
        parsed = parse_customs_file(con, GRAINS / name, table=f"p{i}")
        store.store_vintage(con, parsed, GRAINS / name)
        shas.append(parsed.sha256)
    store.replace_current_slice(con, WINDOW)
    accounts = {a.file_name: a for a in store.file_accounts(con, shas, WINDOW)}
    part1 = accounts["gacc_hs8_import_part1.csv"]
    # its two 2024-01 rows are also in overlap, the newer file, whose rows are current
    assert (part1.rows_read, part1.rows_stored, part1.set_aside) == (5, 3, {"duplicate": 2})
    part2 = accounts["gacc_hs8_import_part2.csv"]
    assert (part2.rows_read, part2.rows_stored, part2.set_aside) == (3, 3, {})
    overlap = accounts["gacc_hs8_import_overlap.csv"]
    assert (overlap.rows_read, overlap.rows_stored) == (5, 2)
    # its 2024-04 .. 06 rows are months this run did not ask for (kept in the vintages)
    assert overlap.set_aside == {"other_run_window": 3}
    assert all(a.adds_up for a in accounts.values())
    accounting.record(con, list(accounts.values()), "run-1", ("2024-01", "2024-03"))
    assert {a.file_name: a for a in accounting.latest(con)} == accounts
    assert overlap.line() == (
        "gacc_hs8_import_overlap.csv: read 5, stored 2; set aside: outside this run's window 3"
    )
    con.close()
