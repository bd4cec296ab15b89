{#- Where a month, flow and code has rows at the commodity grain and at a finer grain
    (by partner, regime or location), the finer rows must sum to the commodity total:
    within CHOKEPOINT_GRAIN_TOLERANCE (relative, default 0.001) plus one USD per row for
    the portal's rounding to whole units. A partial download of partners fails it (the
    totals then come from the commodity grain, so nothing is double counted); it warns
    unless CHOKEPOINT_GRAIN_RECONCILIATION_SEVERITY=error. -#}
{{ config(severity=env_var('CHOKEPOINT_GRAIN_RECONCILIATION_SEVERITY', 'warn')) }}
{%- set tolerance = env_var('CHOKEPOINT_GRAIN_TOLERANCE', '0.001') | float %}
with by_grain as (

    select
        period_month,
        flow,
        hs8,
        grain,
        sum(value_usd) as value_usd,
        count(*) as n_rows
    from {{ ref('stg_customs__monthly_trade') }}
    group by period_month, flow, hs8, grain

)

select
    finer.period_month,
    finer.flow,
    finer.hs8,
    finer.grain,
    finer.value_usd as finer_total_usd,
    commodity.value_usd as commodity_total_usd
from by_grain as finer
inner join by_grain as commodity
    on
        finer.period_month = commodity.period_month
        and finer.flow = commodity.flow
        and finer.hs8 = commodity.hs8
        and commodity.grain = 'commodity'
where
    finer.grain <> 'commodity'
    and abs(finer.value_usd - commodity.value_usd)
    > {{ tolerance }} * abs(commodity.value_usd) + finer.n_rows
