"""Builders for customs portal exports in the real layout, written by the tests themselves.

The rows are invented (no real portal data is copied): a few HS8 codes (one with a leading
zero), GACC partner codes, quantities and values with thousands separators, '?' units.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

ZH_HEADER = [
    "数据年月",
    "贸易伙伴编码",
    "贸易伙伴名称",
    "商品编码",
    "商品名称",
    "第一数量",
    "第一计量单位",
    "第二数量",
    "第二计量单位",
    "人民币",
]
ZH_HEADER_USD = ZH_HEADER[:-1] + ["美元"]
ZH_DIMS = ["贸易方式编码", "贸易方式名称", "注册地编码", "注册地名称"]

# English interface spellings (stats.customs.gov.cn/indexEn), including the portal's
# historical typo "Supplimentary".
EN_HEADER = [
    "Date of data",
    "Trading partner code",
    "Trading partner",
    "Commodity code",
    "Commodity",
    "Quantity",
    "Unit",
    "Supplimentary Quantity",
    "Supplimentary Unit",
    "US dollar",
]
EN_HEADER_CNY = EN_HEADER[:-1] + ["Renminbi Yuan"]
EN_DIMS = [
    "Customs Regime code",
    "Customs Regime",
    "Locations of importers and exporters code",
    "Locations of importers and exporters",
]


def fmt(value: int) -> str:
    """Thousands separators, as the portal writes numbers."""
    return f"{value:,}"


# (period, partner code, zh name, en name, hs8, zh product, en product, qty1, unit1, value)
BASE_ROWS = [
    (
        "202401",
        "502",
        "美国",
        "United States",
        "84862031",
        "分步重复光刻机",
        "Step and repeat aligners",
        3,
        "台",
        123_456_789,
    ),
    (
        "202401",
        "304",
        "德国",
        "Germany",
        "01012100",
        "改良种用马",
        "Pure-bred breeding horses",
        12,
        "千克",
        9_876,
    ),
    (
        "202402",
        "116",
        "日本",
        "Japan",
        "85423100",
        "处理器及控制器",
        "Processors and controllers",
        1_234_567,
        "个",
        16_536_067,
    ),
    (
        "202402",
        "133",
        "韩国",
        "Korea",
        "85423100",
        "处理器及控制器",
        "Processors and controllers",
        765_432,
        "个",
        7_654_321_000,
    ),
    (
        "202403",
        "502",
        "美国",
        "United States",
        "90318090",
        "其他测量仪器",
        "Other instruments",
        0,
        "?",
        42,
    ),
]
DIMS = [
    ("0110", "一般贸易", "11", "北京市"),
    ("0615", "进料对口", "31", "上海市"),
    ("0110", "一般贸易", "44", "广东省"),
    ("1233", "保税仓库进出境货物", "32", "江苏省"),
    ("0110", "一般贸易", "11", "北京市"),
]
EN_DIM_NAMES = {
    "一般贸易": "General trade",
    "进料对口": "Processing with imported materials",
    "保税仓库进出境货物": "Bonded warehouse goods",
    "北京市": "Beijing",
    "上海市": "Shanghai",
    "广东省": "Guangdong",
    "江苏省": "Jiangsu",
}
BASE_TOTAL = sum(r[-1] for r in BASE_ROWS)


def gacc_rows(language: str = "zh", dims: bool = False) -> list[list[str]]:
    """The base rows as portal text cells, in the header order of ``header(...)``."""
    out = []
    for row, dim in zip(BASE_ROWS, DIMS, strict=True):
        period, pcode, pzh, pen, hs8, gzh, gen, qty1, unit1, value = row
        cells = [
            period,
            pcode,
            pzh if language == "zh" else pen,
            hs8,
            gzh if language == "zh" else gen,
            fmt(qty1),
            unit1,
            "0",
            "?",
            fmt(value),
        ]
        if dims:
            rcode, rname, lcode, lname = dim
            if language != "zh":
                rname, lname = EN_DIM_NAMES[rname], EN_DIM_NAMES[lname]
            cells += [rcode, rname, lcode, lname]
        out.append(cells)
    return out


def header(language: str = "zh", currency: str = "CNY", dims: bool = False) -> list[str]:
    if language == "zh":
        h = list(ZH_HEADER if currency == "CNY" else ZH_HEADER_USD)
        return h + ZH_DIMS if dims else h
    h = list(EN_HEADER_CNY if currency == "CNY" else EN_HEADER)
    return h + EN_DIMS if dims else h


def csv_text(
    head: list[str],
    rows: list[list[str]],
    *,
    trailing_comma: bool = True,
    newline: str = "\n",
    quote_all: bool = True,
) -> str:
    buf = io.StringIO()
    writer = csv.writer(
        buf,
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
        lineterminator=("," if trailing_comma else "") + newline,
    )
    writer.writerow(head)
    writer.writerows(rows)
    return buf.getvalue()


def write_gacc_csv(
    path: Path,
    head: list[str] | None = None,
    rows: list[list[str]] | None = None,
    *,
    encoding: str = "gb18030",
    bom: bool = False,
    trailing_comma: bool = True,
    newline: str = "\n",
    quote_all: bool = True,
    text: str | None = None,
) -> Path:
    """A portal-style CSV: every field quoted, a trailing comma on each line, GB18030."""
    if text is None:
        text = csv_text(
            head if head is not None else header(),
            rows if rows is not None else gacc_rows(),
            trailing_comma=trailing_comma,
            newline=newline,
            quote_all=quote_all,
        )
    data = text.encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    return path


def write_gacc_xlsx(path: Path, head: list[str], rows: list[list[object]]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "data"
    ws.append(head)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path
