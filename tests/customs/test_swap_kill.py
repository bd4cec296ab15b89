"""A process killed with SIGKILL in the middle of the swap (new vintage written, current
slice deleted and rebuilt, not yet committed) leaves the old state; killed just after the
commit, the new one: never a mix."""

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
HEADER = (
    "数据年月,贸易伙伴编码,贸易伙伴名称,商品编码,商品名称,第一数量,第一计量单位,"
    "第二数量,第二计量单位,美元,\n"
)

SWAP = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    import duckdb
    from orchestration.lib.customs import store
    from orchestration.lib.customs.parsing import parse_customs_file

    warehouse, path, kill_at = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    con = duckdb.connect(warehouse)
    store.ensure_tables(con)
    parsed = parse_customs_file(con, path, table="parsed")
    con.execute("BEGIN TRANSACTION")
    store.store_vintage(con, parsed, path, in_transaction=True)
    store.replace_current_slice(con, parsed.months, in_transaction=True)
    if kill_at == "before_commit":
        os.kill(os.getpid(), signal.SIGKILL)
    con.execute("COMMIT")
    if kill_at == "after_commit":
        os.kill(os.getpid(), signal.SIGKILL)
""")


def _write(folder: Path, name: str, rows: list[tuple[str, str, str]]) -> Path:
    path = folder / name
    path.write_text(
        HEADER
        + "".join(
            f'"201905","{p}","x","{code}","x","1","千克","0","?","{v}",\n' for p, code, v in rows
        ),
        encoding="utf-8",
    )
    return path


def _swap(warehouse: Path, path: Path, kill_at: str) -> int:
    return subprocess.run(
        [sys.executable, "-c", SWAP, str(warehouse), str(path), kill_at],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    ).returncode


def _state(warehouse: Path) -> tuple[list, list]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        current = con.execute(
            "SELECT hs8, partner_code, value_native, source_file FROM "
            "raw.customs_monthly_trade ORDER BY ALL"
        ).fetchall()
        files = con.execute("SELECT file_name FROM raw.customs_load_log ORDER BY ALL").fetchall()
        return current, files
    finally:
        con.close()


@pytest.mark.parametrize(
    ("kill_at", "expect_new"), [("before_commit", False), ("after_commit", True)]
)
def test_a_kill_during_the_swap_leaves_the_old_or_the_new_state(tmp_path, kill_at, expect_new):
    warehouse = tmp_path / "chokepoint.duckdb"
    old = _write(
        tmp_path,
        "gacc_old_201905_import.csv",
        [("502", "85423100", "1,000"), ("116", "85423100", "2,000")],
    )
    assert _swap(warehouse, old, "none") == 0
    before = _state(warehouse)
    # a revision of one key and a new key: the whole slice is rebuilt in the swap
    new = _write(
        tmp_path,
        "gacc_new_201905_import.csv",
        [("502", "85423100", "1,500"), ("410", "85423200", "300")],
    )
    assert _swap(warehouse, new, kill_at) == -9
    current, files = _state(warehouse)
    if expect_new:
        assert ("85423100", "502", 1500.0, new.name) in current
        assert ("85423100", "116", 2000.0, old.name) in current
        assert ("85423200", "410", 300.0, new.name) in current
        assert files == sorted([(old.name,), (new.name,)])
    else:
        assert (current, files) == before
