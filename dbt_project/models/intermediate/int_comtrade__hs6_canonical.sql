-- Comtrade flows with each code carried into the canonical revision (HS2017) by
-- int_hs6_conversion (one UNSD target per code by default; trade weights for pure splits
-- under hs_conversion = trade_weights). A code converted to one target keeps its whole
-- value; a weighted code's parts sum to its value. Codes unknown to the tables are kept as
-- reported and flagged. hs_conversion says, on every row, how its code was carried.
with flows as (

    select * from {{ ref('stg_comtrade__annual_flows') }}
    where hs6 != 'TOTAL'

),

conversion as (

    select * from {{ ref('int_hs6_conversion') }}

),

aggregates as (

    select comtrade_code from {{ ref('ref_comtrade_aggregate_reporters') }}

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
    coalesce(conversion.hs6_hs2017, flows.hs6) as hs6,
    substr(coalesce(conversion.hs6_hs2017, flows.hs6), 1, 4) as hs4,
    conversion.hs6 is null as is_unmatched_code,
    flows.primary_value_usd * coalesce(conversion.weight, 1.0) as value_usd,
    coalesce(conversion.hs_conversion, 'not in the UNSD tables: kept as reported')
        as hs_conversion,
    aggregates.comtrade_code is not null as is_aggregate_reporter,
    flows.origin,
    flows.vintage
from flows
left join conversion
    on
        flows.hs_revision = conversion.hs_revision
        and flows.hs6 = conversion.hs6
left join aggregates on flows.reporter_code = aggregates.comtrade_code
