"""Full-scale synthetic inputs in the real layouts, written by DuckDB (deterministic).

Sizes are parameters: ``full`` is about 8,500 HS8 codes, 60 GACC partners (each code
trades with about half of them), 120 months (over 30 million customs rows) and 200
Comtrade reporters x 5,000 HS6 x 10 years (10 million rows); ``small`` keeps CI fast.
Customs files are UTF-8 portal exports (quoted fields, Chinese headers, USD); Comtrade
files are bulk files (tab separated, gzip, the 47 API fields). Names carry 'synthetic'.
"""

from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.settings import DBT_PROJECT_DIR
from orchestration.synthetic.comtrade import FIELDS as COMTRADE_FIELDS


@dataclass(frozen=True)
class Scale:
    name: str
    n_hs8: int
    n_partners: int
    partner_share: int  # percent of partners each code trades with
    first_month: str
    last_month: str
    n_reporters: int
    n_hs6: int
    first_year: int
    last_year: int


SCALES = {
    "small": Scale("small", 600, 12, 50, "2023-01", "2024-12", 20, 300, 2023, 2024),
    "full": Scale("full", 8500, 60, 50, "2016-01", "2025-12", 200, 5000, 2016, 2025),
}

HEADER = ["数据年月", "贸易伙伴编码", "贸易伙伴名称", "商品编码", "商品名称", "第一数量",
          "第一计量单位", "第二数量", "第二计量单位", "美元"]


def _codes_sql(reference_dir: Path, n: int) -> str:
    """HS8 codes: every technology-batch code, then HS2017 subheadings + '00'/'90'."""
    batches = reference_dir / "batches" / "*.csv"
    hs = reference_dir / "hs" / "hs2017_to_hs2012.csv"
    return f"""
        WITH tech AS (
            SELECT DISTINCT lpad(hs8::VARCHAR, 8, '0') AS hs8, 0 AS ord
            FROM read_csv('{batches}', all_varchar=true, union_by_name=true)),
        hs6 AS (SELECT DISTINCT hs5_6d AS hs6 FROM read_csv('{hs}', all_varchar=true)),
        bg AS (SELECT hs6 || s AS hs8, 1 AS ord FROM hs6, (VALUES ('00'), ('90')) v(s))
        SELECT hs8 FROM (SELECT * FROM tech UNION ALL SELECT * FROM bg
                         WHERE hs8 NOT IN (SELECT hs8 FROM tech))
        ORDER BY ord, hash(hs8) LIMIT {n}"""


def generate_scaled(scale: Scale, data_dir: Path, reference_dir: Path) -> dict[str, int]:
    customs = data_dir / "landing" / "customs"
    comtrade = data_dir / "landing" / "comtrade"
    customs.mkdir(parents=True, exist_ok=True)
    comtrade.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"CREATE TABLE codes AS {_codes_sql(reference_dir, scale.n_hs8)}")
    partners = DBT_PROJECT_DIR / "seeds" / "reference" / "ref_gacc_partners.csv"
    con.execute(f"""CREATE TABLE partners AS
        SELECT gacc_code AS code, name_zh AS name FROM read_csv('{partners}', all_varchar=true)
        WHERE iso3 IS NOT NULL ORDER BY gacc_code LIMIT {scale.n_partners}""")
    cols = ", ".join(f'"{h}"' for h in HEADER)
    rows = 0
    first_year, last_year = int(scale.first_month[:4]), int(scale.last_month[:4])
    for year in range(first_year, last_year + 1):
        target = customs / f"bench_synthetic_{year}_import.csv"
        if target.exists():
            continue
        tmp = target.with_suffix(".part")
        con.execute(f"""COPY (
            SELECT strftime(m, '%Y%m') AS "数据年月", p.code AS "贸易伙伴编码",
                   p.name AS "贸易伙伴名称", c.hs8 AS "商品编码", 'synthetic goods' AS "商品名称",
                   (hash(c.hs8, p.code, m) % 100000)::BIGINT AS "第一数量",
                   '千克' AS "第一计量单位", 0 AS "第二数量", '?' AS "第二计量单位",
                   (1000 + hash(m, c.hs8, p.code) % 5000000)::BIGINT AS "美元"
            FROM codes c, partners p,
                 range(DATE '{year}-01-01', DATE '{year + 1}-01-01', INTERVAL 1 MONTH) t(m)
            WHERE hash(c.hs8, p.code) % 100 < {scale.partner_share}
              AND strftime(m, '%Y-%m') BETWEEN '{scale.first_month}' AND '{scale.last_month}'
        ) TO '{tmp}' (HEADER, FORCE_QUOTE ({cols}), FORMAT csv)""")
        tmp.rename(target)
    rows = sum(
        con.execute(f"SELECT count(*) FROM read_csv('{p}', all_varchar=true)").fetchall()[0][0]
        for p in sorted(customs.glob("bench_synthetic_*.csv"))
    )
    ct_rows = _generate_comtrade(con, scale, comtrade)
    con.close()
    return {"rows_customs": rows, "rows_comtrade": ct_rows}


def _generate_comtrade(con, scale: Scale, out: Path) -> int:
    con.execute(f"""CREATE OR REPLACE TABLE hs6 AS
        SELECT DISTINCT substr(hs8, 1, 6) AS hs6 FROM codes ORDER BY hash(hs6)
        LIMIT {scale.n_hs6}""")
    total = 0
    defaults = {f: "NULL" for f in COMTRADE_FIELDS}
    for year in range(scale.first_year, scale.last_year + 1):
        target = out / f"comtrade_synthetic_bench_C_A_HS_{year}.txt.gz"
        cls = "H4" if year <= 2016 else ("H5" if year <= 2021 else "H6")
        values = {
            **defaults,
            "typeCode": "'C'", "freqCode": "'A'", "refYear": str(year), "period": str(year),
            "reporterCode": "CASE WHEN r = 0 THEN 156 ELSE 1000 + r END",
            "reporterISO": "CASE WHEN r = 0 THEN 'CHN' ELSE 'R' || r END",
            "flowCode": "f", "partnerCode": "0", "partnerISO": "'W00'", "partner2Code": "0",
            "classificationCode": f"'{cls}'", "cmdCode": "hs6", "aggrLevel": "6",
            "customsCode": "'C00'", "motCode": "0",
            "primaryValue": f"(1000 + hash(r, hs6, f, {year}) % 90000000)::BIGINT",
            "isReported": "'True'", "isAggregate": "'False'",
        }
        select = ", ".join(f'{values[f]} AS "{f}"' for f in COMTRADE_FIELDS)
        if not target.exists():
            tmp = out / f".{target.name}.part"
            con.execute(f"""COPY (
                SELECT {select}
                FROM range({scale.n_reporters}) t(r), hs6, (VALUES ('X'), ('M')) v(f)
                WHERE f = 'X' OR r = 0
            ) TO '{tmp}' (HEADER, DELIMITER '\t', FORMAT csv, COMPRESSION gzip)""")
            tmp.rename(target)
        total += scale.n_hs6 * (scale.n_reporters + 1)
    return total
