-- HS4 heading records of a reporter, year, partner, flow and revision for which no
-- six-digit row of that heading is loaded: the heading's value where its detail is
-- missing, marked is_hs4_fill. A heading with any six-digit row is read from those rows
-- only, so a heading is never counted at both levels. The heading is the one of the
-- revision reported (no concordance works at four digits).
with headings as (

    select * from {{ ref('stg_comtrade__aggregate_flows') }}
    where cmd_level = 'HS4'

),

detail as (

    select distinct
        trade_year,
        reporter_code,
        partner_code,
        flow,
        hs_revision,
        hs4
    from {{ ref('stg_comtrade__annual_flows') }}
    where hs6 != 'TOTAL'

)

select
    headings.trade_year,
    headings.reporter_code,
    headings.reporter_iso3,
    headings.partner_code,
    headings.partner_iso3,
    headings.flow,
    headings.cmd_code as hs4,
    headings.hs_revision,
    headings.primary_value_usd as value_usd,
    true as is_hs4_fill,
    headings.origin,
    headings.vintage
from headings
left join detail
    on
        headings.trade_year = detail.trade_year
        and headings.reporter_code = detail.reporter_code
        and headings.partner_code = detail.partner_code
        and headings.flow = detail.flow
        and headings.hs_revision = detail.hs_revision
        and headings.cmd_code = detail.hs4
where detail.hs4 is null
