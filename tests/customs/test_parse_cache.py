"""The run decision's parse is kept and taken by the ingestion, and files stored together
give what they give one by one.

Each kept parse is compared with a fresh parse of the same file (rows and description),
and a batch store with the file-by-file store, on the grain fixtures (several grains,
partial files, an overlap, a revision, a manifest)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import duckdb

from orchestration.lib.customs import parse_cache, store
from orchestration.lib.customs.landing import scan_landing
from orchestration.lib.customs.parsing import parse_customs_file

GRAINS = Path(__file__).resolve().parents[1] / "fixtures" / "customs" / "grains"
MONTHS = [f"2024-{m:02d}" for m in range(1, 7)]
# stage 1, then stage 2 (which revises a key of stage 1), in file-name order within each
ORDER = [
    *sorted(p.name for p in (GRAINS / "stage1").glob("*.csv")),
    *sorted(p.name for p in (GRAINS / "stage2").glob("*.csv")),
]


def _rows(con, table: str) -> list[tuple]:
    return con.execute(f'SELECT * FROM "{table}" ORDER BY line_no').fetchall()


def _described(parsed) -> dict:
    return {k: v for k, v in dataclasses.asdict(parsed).items() if k != "table"}


def test_the_scan_keeps_each_parse_and_the_kept_parse_is_the_parse(landing):
    files = scan_landing(landing)
    cache = parse_cache.cache_dir(landing)
    assert len(list(cache.glob("*.json"))) == len(files) == len(ORDER)
    con = duckdb.connect()
    for i, file in enumerate(files):
        kept = parse_cache.load(con, file.path, file.sha256, f"kept{i}", cache)
        assert kept is not None, file.path.name
        fresh = parse_customs_file(con, file.path, table=f"fresh{i}")
        assert _described(kept) == _described(fresh)
        assert _rows(con, f"kept{i}") == _rows(con, f"fresh{i}")
        assert tuple(kept.months) == file.months


def test_a_changed_manifest_or_name_or_content_finds_no_kept_parse(landing):
    scan_landing(landing)
    cache = parse_cache.cache_dir(landing)
    path = landing / "gacc_hs8_import_part2.csv"
    sha = store.file_sha256(path)
    con = duckdb.connect()
    assert parse_cache.load(con, path, sha, "a", cache) is not None
    # the manifest says which codes the query asked for: a changed entry is a new parse
    sidecar = landing / "gacc_hs8_import_part2.csv.manifest.json"
    entry = json.loads(sidecar.read_text(encoding="utf-8"))
    sidecar.write_text(json.dumps({**entry, "codes": ["8542"]}), encoding="utf-8")
    assert parse_cache.load(con, path, sha, "b", cache) is None
    renamed = path.rename(landing / "gacc_hs8_import_part9.csv")
    assert parse_cache.load(con, renamed, sha, "c", cache) is None
    other = landing / "gacc_hs8_import_part1.csv"
    assert parse_cache.load(con, other, sha, "d", cache) is None


def test_an_unreadable_file_is_not_kept_and_a_dropped_parse_is_gone(landing):
    bad = landing / "gacc_hs8_import_broken.csv"
    bad.write_bytes((landing / "gacc_hs8_import_part1.csv").read_bytes() + b"not,a,row\n")
    files = {f.path.name: f for f in scan_landing(landing)}
    assert files[bad.name].months is None and files[bad.name].error
    cache = parse_cache.cache_dir(landing)
    assert len(list(cache.glob("*.json"))) == len(ORDER)
    good = files["gacc_hs8_import_part1.csv"]
    parse_cache.drop(cache, [(good.path, good.sha256)])
    assert parse_cache.load(duckdb.connect(), good.path, good.sha256, "t", cache) is None
    assert len(list(cache.glob("*.json"))) == len(ORDER) - 1


def test_prune_removes_only_the_parses_of_another_parser_version(landing):
    scan_landing(landing)
    cache = parse_cache.cache_dir(landing)
    first = sorted(cache.glob("*.json"))[0]
    described = json.loads(first.read_text(encoding="utf-8"))
    first.write_text(json.dumps({**described, "parser": "an-older-parser"}), encoding="utf-8")
    assert parse_cache.prune(cache) == 1
    assert not first.exists() and not first.with_suffix(".parquet").exists()
    assert len(list(cache.glob("*.json"))) == len(ORDER) - 1
    assert parse_cache.prune(cache) == 0


def _store(tmp_path: Path, landing: Path, name: str, batch: bool) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / f"{name}.duckdb"))
    store.ensure_tables(con)
    parsed = [parse_customs_file(con, landing / n, table=f"p{i}") for i, n in enumerate(ORDER)]
    if batch:
        store.store_vintages(con, [(p, p.path) for p in parsed])
    else:
        for p in parsed:
            store.store_vintage(con, p, p.path)
    store.replace_current_slice(con, MONTHS)
    return con


def test_files_stored_together_give_what_they_give_one_by_one(tmp_path, landing):
    one_by_one = _store(tmp_path, landing, "sequential", batch=False)
    together = _store(tmp_path, landing, "batch", batch=True)
    queries = [
        # load times differ between the two stores; their order does not
        "SELECT * EXCLUDE (old_loaded_at, new_loaded_at) FROM raw.customs_revisions ORDER BY ALL",
        "SELECT * EXCLUDE (loaded_at) FROM raw.customs_monthly_trade ORDER BY ALL",
        "SELECT * EXCLUDE (loaded_at) FROM raw.customs_trade_vintages ORDER BY ALL",
        "SELECT file_name, rank() OVER (ORDER BY loaded_at), months, rows "
        "FROM raw.customs_load_log ORDER BY ALL",
        "SELECT * EXCLUDE (loaded_at) FROM raw.customs_declared_coverage ORDER BY ALL",
    ]
    revisions = one_by_one.execute("SELECT count(*) FROM raw.customs_revisions").fetchone()[0]
    assert revisions >= 1  # the fixtures revise a key: the comparison is not of empties
    for sql in queries:
        assert together.execute(sql).fetchall() == one_by_one.execute(sql).fetchall(), sql


def test_a_key_revised_twice_in_one_batch_lists_both_changes(tmp_path, landing):
    con = duckdb.connect(str(tmp_path / "twice.duckdb"))
    store.ensure_tables(con)
    # the revised file changes 84118200 from the US in 2024-02 from 1,200,000 to 1,350,000;
    # a later download changes it again, to 1,500,000
    revised = landing / "gacc_hs8_import_revised.csv"
    again = landing / "gacc_hs8_import_revised_again.csv"
    again.write_bytes(revised.read_bytes().replace(b'"1,350,000"', b'"1,500,000"'))
    names = ["gacc_hs8_import_part1.csv", "gacc_hs8_import_part2.csv", revised.name, again.name]
    files = [parse_customs_file(con, landing / n, table=f"p{i}") for i, n in enumerate(names)]
    counts = store.store_vintages(con, [(p, p.path) for p in files])
    assert [counts[p.sha256] for p in files] == [0, 0, 1, 1]
    assert con.execute(
        "SELECT hs8, partner_code, old_value_native, new_value_native, old_file, new_file "
        "FROM raw.customs_revisions ORDER BY new_loaded_at"
    ).fetchall() == [
        ("84118200", "502", 1_200_000.0, 1_350_000.0, names[0], names[2]),
        ("84118200", "502", 1_350_000.0, 1_500_000.0, names[2], names[3]),
    ]


def test_the_ingestion_takes_the_kept_parse_and_parses_only_without_one(landing, monkeypatch):
    files = scan_landing(landing)
    cache = parse_cache.cache_dir(landing)
    calls = []
    real = parse_cache.parse_customs_file

    def counting(con, path, table):
        calls.append(path.name)
        return real(con, path, table=table)

    monkeypatch.setattr(parse_cache, "parse_customs_file", counting)
    con = duckdb.connect()
    for i, file in enumerate(files):
        parse_cache.parse(con, file.path, f"t{i}", cache, file.sha256)
    assert calls == []
    parse_cache.drop(cache, [(files[0].path, files[0].sha256)])
    parse_cache.parse(con, files[0].path, "again", cache)
    assert calls == [files[0].path.name]
