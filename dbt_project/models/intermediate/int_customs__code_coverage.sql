{{ config(materialized='table') }}
-- Per month, flow, grain and code of the universe: loaded, "no trade" (absent, but a
-- manifest says the query asked for it), or "not downloaded"; and whether the month looks
-- like a gap for the code (loaded at this grain the month before and the month after).
-- The universe of a month is the batch codes valid that month (imports), the HS8 codes
-- the data holds for the flow in that calendar year, and China Customs' full HS8 list in
-- force that year: the first two are what the analysis judges, the list is what a
-- complete download holds. Every grain the data holds for the flow is judged (the
-- commodity grain for a flow with none); the panel and the download plan count a code as
-- covered at any grain, since totals are read from a finer grain where the commodity
-- grain is missing.
with months as (

    select * from {{ ref('int_customs__months') }}

),

trade as (

    select distinct
        period_month,
        trade_year,
        flow,
        grain,
        hs8
    from {{ ref('stg_customs__monthly_trade') }}

),

grains as (

    -- the grains the data holds for the flow; the commodity grain for a flow with none
    select distinct
        flow,
        grain
    from trade
    union all
    select distinct
        months.flow,
        'commodity' as grain
    from months
    where months.flow not in (select distinct trade.flow from trade)

),

batch_codes as (

    select distinct
        hs8,
        valid_from,
        valid_to
    from {{ ref('stg_reference__tech_batches') }}

),

gacc_codes as (

    select
        hs8,
        in_force_from_year,
        in_force_to_year
    from {{ ref('stg_reference__gacc_hs8_codes') }}

),

universe_rows as (

    select
        months.period_month,
        months.month_idx,
        months.flow,
        batch_codes.hs8,
        1 as is_batch,
        0 as is_held,
        0 as is_list
    from months
    inner join batch_codes
        on
            months.period_month >= batch_codes.valid_from
            and months.period_month <= batch_codes.valid_to
    -- the batches are lists of imported technology
    where months.flow = 'import'

    union all

    select distinct
        months.period_month,
        months.month_idx,
        months.flow,
        trade.hs8,
        0 as is_batch,
        1 as is_held,
        0 as is_list
    from months
    inner join trade
        on months.trade_year = trade.trade_year and months.flow = trade.flow

    union all

    select
        months.period_month,
        months.month_idx,
        months.flow,
        gacc_codes.hs8,
        0 as is_batch,
        0 as is_held,
        1 as is_list
    from months
    inner join gacc_codes
        on
            months.trade_year >= gacc_codes.in_force_from_year
            and months.trade_year <= gacc_codes.in_force_to_year

),

universe as (

    select
        period_month,
        month_idx,
        flow,
        hs8,
        max(is_batch) = 1 as is_batch_code,
        max(is_held) = 1 as is_held_code,
        max(is_list) = 1 as is_list_code
    from universe_rows
    group by period_month, month_idx, flow, hs8

),

declared as (

    select distinct
        universe.period_month,
        universe.flow,
        declared.grain,
        universe.hs8
    from {{ ref('stg_customs__declared_coverage') }} as declared
    inner join universe
        on
            declared.period_month = universe.period_month
            and declared.flow = universe.flow
            and substr(universe.hs8, 1, length(declared.code_prefix)) = declared.code_prefix

),

grid as (

    select
        universe.*,
        grains.grain
    from universe
    inner join grains on universe.flow = grains.flow

),

flagged as (

    select
        grid.period_month,
        grid.month_idx,
        grid.flow,
        grid.grain,
        grid.hs8,
        grid.is_batch_code,
        grid.is_held_code,
        grid.is_list_code,
        here.hs8 is not null as is_loaded,
        declared.hs8 is not null as is_declared,
        prev_trade.hs8 is not null and next_trade.hs8 is not null as is_between_loaded
    from grid
    left join trade as here
        on
            grid.period_month = here.period_month
            and grid.flow = here.flow
            and grid.grain = here.grain
            and grid.hs8 = here.hs8
    left join declared
        on
            grid.period_month = declared.period_month
            and grid.flow = declared.flow
            and grid.grain = declared.grain
            and grid.hs8 = declared.hs8
    left join months as prev_month
        on grid.flow = prev_month.flow and grid.month_idx - 1 = prev_month.month_idx
    left join trade as prev_trade
        on
            prev_month.period_month = prev_trade.period_month
            and grid.flow = prev_trade.flow
            and grid.grain = prev_trade.grain
            and grid.hs8 = prev_trade.hs8
    left join months as next_month
        on grid.flow = next_month.flow and grid.month_idx + 1 = next_month.month_idx
    left join trade as next_trade
        on
            next_month.period_month = next_trade.period_month
            and grid.flow = next_trade.flow
            and grid.grain = next_trade.grain
            and grid.hs8 = next_trade.hs8

)

select
    period_month,
    flow,
    grain,
    hs8,
    is_batch_code,
    is_held_code,
    is_list_code,
    is_batch_code or is_held_code as is_judged,
    is_loaded,
    is_declared,
    case
        when is_loaded then 'loaded'
        when is_declared then 'no trade'
        else 'not downloaded'
    end as status,
    not is_loaded and not is_declared and is_between_loaded as is_suspected_gap
from flagged
