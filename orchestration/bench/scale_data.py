"""Full-scale synthetic inputs in the real layouts, written by DuckDB (deterministic).

Sizes are parameters: ``full`` is about 8,500 HS8 codes, 60 GACC partners (each code
trades with about half of them), 120 months (over 30 million customs rows) and 200
Comtrade reporters x 5,000 HS6 x 10 years (10 million rows); ``small`` keeps CI fast.

Customs files are written as the statistics portal writes them: GB18030, every field
double-quoted, a trailing comma on every line (LF line ends), the Chinese header of a
USD query (``数据年月,贸易伙伴编码,...,美元``), thousands separators in the value field,
and one file per query: a month, the import flow, and a partial set of codes whose
rows fit the portal's limit of a download (``max_file_rows``, 10,000 at full scale; the
small set uses 1,000 so that it, too, has several partial files per month). Each code's
rows are in one file of the month (a code set is a query). DuckDB writes the rows as
UTF-8 partitioned by month and file, then a streaming pass re-encodes each file to
GB18030 with Python's codec (a file at a time: each is at most a few MB) and prepends
the header. The files are kept under ``<bench>/source/customs/``; the bench links them
into the landing folder, the last month only at the refresh. Comtrade files are bulk
files (tab separated, gzip, the 47 API fields). Names carry 'synthetic'.
"""

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.settings import DBT_PROJECT_DIR
from orchestration.synthetic.comtrade import FIELDS as COMTRADE_FIELDS
from orchestration.synthetic.customs import HEADER_CNY

# The portal's Chinese header of a USD export: the RMB layout with the value in dollars.
HEADER = [*HEADER_CNY[:-1], "美元"]


@dataclass(frozen=True)
class Scale:
    """The size of one benchmark data set."""

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
    max_file_rows: int  # rows of one portal download at most


SCALES = {
    "small": Scale("small", 600, 12, 50, "2023-01", "2024-12", 20, 300, 2023, 2024, 1_000),
    "full": Scale("full", 8500, 60, 50, "2016-01", "2025-12", 200, 5000, 2016, 2025, 10_000),
}

ENCODING = "gb18030"
DONE = "_generated.json"  # written last: the set is complete


def customs_name(month: str, part: int, prefix: str = "bench_synthetic") -> str:
    """The file name of one portal query.

    The file of one query: ``bench_synthetic_202401_import_p003.csv`` (the flow is a
    word of the name, as the pipeline reads it).
    """
    return f"{prefix}_{month.replace('-', '')}_import_p{part:03d}.csv"


def source_dir(data_dir: Path) -> Path:
    """Where a scale's customs files are written before they are landed."""
    return data_dir / "source" / "customs"


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


def _pack_files(con, scale: Scale) -> None:
    """Pack the codes into portal queries.

    Table ``parts(hs8, part)``: codes in code order, packed greedily into queries of at
    most ``max_file_rows`` rows a month (a code's partners are the same every month).
    """
    counts = con.execute(f"""
        SELECT c.hs8, count(*) FROM codes c, partners p
        WHERE hash(c.hs8, p.code) % 100 < {scale.partner_share}
        GROUP BY 1 ORDER BY 1""").fetchall()
    parts, part, used = [], 1, 0
    for hs8, n in counts:
        if used and used + n > scale.max_file_rows:
            part, used = part + 1, 0
        parts.append((hs8, part))
        used += n
    con.execute("CREATE OR REPLACE TABLE parts (hs8 VARCHAR, part INTEGER)")
    con.executemany("INSERT INTO parts VALUES (?, ?)", parts)


def _header_line() -> bytes:
    return (",".join(f'"{h}"' for h in HEADER) + ",\n").encode(ENCODING)


def transcode(utf8_file: Path, target: Path, chunk_chars: int = 1 << 22) -> None:
    """Write the portal's GB18030 bytes from DuckDB's UTF-8 rows.

    The portal's bytes from DuckDB's UTF-8 rows: the header, then the rows re-encoded
    to GB18030 in chunks (a file is never held whole), then renamed into place.
    """
    tmp = target.with_name(f".{target.name}.part")
    with utf8_file.open(encoding="utf-8", newline="") as src, tmp.open("wb") as out:
        out.write(_header_line())
        while chunk := src.read(chunk_chars):
            out.write(chunk.encode(ENCODING))
    tmp.replace(target)


def _write_customs_year(con, scale: Scale, year: int, out: Path, work: Path) -> None:
    quoted = ", ".join(f'"{h}"' for h in HEADER)
    shutil.rmtree(work, ignore_errors=True)
    # the last column is an unquoted NULL: DuckDB writes nothing after the last comma,
    # which is the portal's trailing comma
    con.execute(f"""COPY (
        SELECT strftime(m, '%Y%m') AS "数据年月", p.code AS "贸易伙伴编码",
               p.name AS "贸易伙伴名称", c.hs8 AS "商品编码", 'synthetic goods' AS "商品名称",
               ((hash(c.hs8, p.code, m) % 100000)::BIGINT)::VARCHAR AS "第一数量",
               '千克' AS "第一计量单位", '0' AS "第二数量", '?' AS "第二计量单位",
               format('{{:,}}', (1000 + hash(m, c.hs8, p.code) % 5000000)::BIGINT) AS "美元",
               NULL::VARCHAR AS trailing,
               strftime(m, '%Y%m') AS month_key, parts.part AS part
        FROM codes c JOIN parts USING (hs8), partners p,
             range(DATE '{year}-01-01', DATE '{year + 1}-01-01', INTERVAL 1 MONTH) t(m)
        WHERE hash(c.hs8, p.code) % 100 < {scale.partner_share}
          AND strftime(m, '%Y-%m') BETWEEN '{scale.first_month}' AND '{scale.last_month}'
        ORDER BY c.hs8, p.code
    ) TO '{work}' (FORMAT csv, HEADER false, FORCE_QUOTE ({quoted}),
                   PARTITION_BY (month_key, part))""")
    for part_file in sorted(work.glob("month_key=*/part=*/*.csv")):
        month_key = part_file.parent.parent.name.split("=")[1]
        part = int(part_file.parent.name.split("=")[1])
        transcode(part_file, out / customs_name(f"{month_key[:4]}-{month_key[4:]}", part))
    shutil.rmtree(work, ignore_errors=True)


def generate_scaled(scale: Scale, data_dir: Path, reference_dir: Path) -> dict[str, int]:
    """Write a scale's customs and Comtrade files; returns their row counts."""
    customs = source_dir(data_dir)
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
    done = customs / DONE
    if done.is_file():
        generated = json.loads(done.read_text(encoding="utf-8"))
    else:
        _pack_files(con, scale)
        first_year, last_year = int(scale.first_month[:4]), int(scale.last_month[:4])
        for year in range(first_year, last_year + 1):
            _write_customs_year(con, scale, year, customs, data_dir / "source" / ".work")
        files = sorted(customs.glob("bench_synthetic_*_import_p*.csv"))
        rows = con.execute(f"""
            SELECT count(*) FROM codes c, partners p,
                 range(DATE '{scale.first_month}-01', DATE '{scale.last_month}-01'
                       + INTERVAL 1 MONTH, INTERVAL 1 MONTH) t(m)
            WHERE hash(c.hs8, p.code) % 100 < {scale.partner_share}""").fetchone()[0]
        generated = {
            "rows_customs": rows,
            "files_customs": len(files),
            "max_file_rows": scale.max_file_rows,
            "encoding": ENCODING,
        }
        done.write_text(json.dumps(generated, indent=1), encoding="utf-8")
    ct_rows = _generate_comtrade(con, scale, comtrade)
    con.close()
    return {
        "rows_customs": generated["rows_customs"],
        "files_customs": generated["files_customs"],
        "rows_comtrade": ct_rows,
    }


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
            "typeCode": "'C'",
            "freqCode": "'A'",
            "refYear": str(year),
            "period": str(year),
            "reporterCode": "CASE WHEN r = 0 THEN 156 ELSE 1000 + r END",
            "reporterISO": "CASE WHEN r = 0 THEN 'CHN' ELSE 'R' || r END",
            "flowCode": "f",
            "partnerCode": "0",
            "partnerISO": "'W00'",
            "partner2Code": "0",
            "classificationCode": f"'{cls}'",
            "cmdCode": "hs6",
            "aggrLevel": "6",
            "customsCode": "'C00'",
            "motCode": "0",
            "primaryValue": f"(1000 + hash(r, hs6, f, {year}) % 90000000)::BIGINT",
            "isReported": "'True'",
            "isAggregate": "'False'",
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
