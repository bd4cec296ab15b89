-- UN Comtrade records above the six-digit level: HS4 headings and HS2 chapters, as
-- reported (partner2 World, customs C00, transport 0, like every stored record). They
-- are sums of six-digit rows of the same reporter, flow and partner, so they are never
-- added to stg_comtrade__annual_flows: int_comtrade__hs4_fill uses a heading where its
-- six-digit detail is missing, int_comtrade__reporter_totals the chapters.
select
    cast(year as integer) as trade_year,
    cast(reporter_code as integer) as reporter_code,
    reporter_iso3,
    cast(partner_code as integer) as partner_code,
    partner_iso3,
    flow,
    cmd_level,
    hs6 as cmd_code,
    hs_revision,
    classification_code,
    cast(primary_value_usd as double) as primary_value_usd,
    cast(vintage as string) as vintage,
    origin,
    source
from {{ source('comtrade', 'comtrade_annual_flows') }}
where cmd_level in ('HS2', 'HS4')
