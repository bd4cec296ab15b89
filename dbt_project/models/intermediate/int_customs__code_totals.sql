-- One total per month, flow and code, read from one grain: the commodity grain where the
-- data has it, else the coarsest finer grain (fewest dimensions, then by name), summed.
-- Rows of different grains describe the same trade and are never added together; the
-- grain used is recorded on every row.
with by_grain as (

    select
        period_month,
        trade_year,
        flow,
        hs8,
        hs6,
        grain,
        length(grain) - length(replace(grain, ',', '')) as n_dimensions,
        sum(value_usd) as value_usd,
        sum(case when is_unknown_partner then value_usd else 0 end) as value_usd_unknown_partner,
        count(*) as n_rows,
        {{ combined_origin('origin') }} as origin
    from {{ ref('stg_customs__monthly_trade') }}
    group by period_month, trade_year, flow, hs8, hs6, grain

),

ranked as (

    select
        by_grain.*,
        row_number() over (
            partition by by_grain.period_month, by_grain.flow, by_grain.hs8
            order by by_grain.n_dimensions, by_grain.grain
        ) as grain_rank,
        count(*) over (
            partition by by_grain.period_month, by_grain.flow, by_grain.hs8
        ) as grains_available
    from by_grain

)

select
    period_month,
    trade_year,
    flow,
    hs8,
    hs6,
    grain as total_grain,
    grains_available,
    value_usd,
    -- only a grain with partners can say which partner is unknown
    case
        when grain like '%partner%' then value_usd_unknown_partner
    end as value_usd_unknown_partner,
    n_rows,
    origin
from ranked
where grain_rank = 1
