-- Monthly China trade totals by flow, with the share that cannot be classified. Each
-- code counts once, from the grain int_customs__code_totals chose for it.
select
    period_month,
    trade_year,
    flow,
    sum(value_usd) as value_usd,
    count(distinct hs8) as n_hs8,
    sum(value_usd_unknown_partner) as value_usd_unknown_partner,
    {{ combined_origin('origin') }} as origin
from {{ ref('int_customs__code_totals') }}
group by period_month, trade_year, flow
