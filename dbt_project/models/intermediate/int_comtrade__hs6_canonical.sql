-- Comtrade flows with each code carried into the canonical revision (HS2017) through
-- the UNSD concordance, so years reported in HS2012 or HS2022 compare with HS2017
-- years. A code that splits into several HS2017 codes is shared equally among them.
with flows as (

    select * from {{ ref('stg_comtrade__annual_flows') }}
    where hs6 != 'TOTAL'

),

concordance as (

    select * from {{ ref('stg_reference__hs_concordance') }}

)

select
    flows.trade_year,
    flows.reporter_code,
    flows.reporter_iso3,
    flows.partner_code,
    flows.partner_iso3,
    flows.flow,
    flows.hs6 as hs6_reported,
    flows.hs_revision,
    coalesce(concordance.hs6_hs2017, flows.hs6) as hs6,
    substr(coalesce(concordance.hs6_hs2017, flows.hs6), 1, 4) as hs4,
    concordance.hs6 is null as is_unmatched_code,
    flows.primary_value_usd / coalesce(concordance.n_targets, 1) as value_usd,
    flows.origin,
    flows.vintage
from flows
left join concordance
    on
        flows.hs_revision = concordance.hs_revision
        and flows.hs6 = concordance.hs6
