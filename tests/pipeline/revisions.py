"""A customs revision that parses but collapses a month: what the volume audit refuses."""

import duckdb

HEADER = (
    '"数据年月","贸易伙伴编码","贸易伙伴名称","商品编码","商品名称","第一数量",'
    '"第一计量单位","第二数量","第二计量单位","美元",\r\n'
)


def collapsed_revision(settings, month: str):
    """Every key of the month's imports re-reported at 1 USD: a file that parses, of a
    month that collapses (the volume rule's case)."""
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        keys = con.execute(
            "SELECT partner_code, hs8 FROM raw.customs_monthly_trade "
            "WHERE period_month = ? AND flow = 'import' ORDER BY ALL",
            [month],
        ).fetchall()
    finally:
        con.close()
    yyyymm = month.replace("-", "")
    path = settings.landing("customs") / f"gacc_revised_{yyyymm}_import.csv"
    path.write_bytes(
        (
            HEADER
            + "".join(
                f'"{yyyymm}","{partner}","x","{hs8}","x","1","千克","0","?","1",\r\n'
                for partner, hs8 in keys
            )
        ).encode("gb18030")
    )
    return path
