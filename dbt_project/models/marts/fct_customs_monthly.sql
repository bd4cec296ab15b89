-- Monthly China trade totals by flow, with the share that cannot be classified.
select
    period_month,
    trade_year,
    flow,
    sum(value_usd) as value_usd,
    count(distinct hs8) as n_hs8,
    sum(case when is_unknown_partner then value_usd else 0 end) as value_usd_unknown_partner,
    {{ combined_origin('origin') }} as origin
from {{ ref('stg_customs__monthly_trade') }}
group by period_month, trade_year, flow
