-- Per reporter, year and flow (partner World): all goods, from the reporter's TOTAL
-- record, and all manufactured goods, from its chapter records: HS chapters 28-96
-- without 71 (chemicals through miscellaneous manufactures, without precious stones and
-- metals), the same chapters as the six-digit definition in ind_mic25_export_share. A
-- chapter the reporter has no record of is no trade (Comtrade publishes no zero rows).
-- Null where the reporter has no record of that level.
with totals as (

    select
        trade_year,
        reporter_code,
        flow,
        sum(primary_value_usd) as all_goods_usd,
        {{ combined_origin('origin') }} as origin
    from {{ ref('stg_comtrade__annual_flows') }}
    where hs6 = 'TOTAL' and partner_code = 0
    group by trade_year, reporter_code, flow

),

chapters as (

    select
        trade_year,
        reporter_code,
        flow,
        sum(case
            when cast(cmd_code as integer) between 28 and 96 and cmd_code != '71'
                then primary_value_usd
            else 0
        end) as manufactured_usd,
        count(distinct cmd_code) as n_chapters,
        {{ combined_origin('origin') }} as origin
    from {{ ref('stg_comtrade__aggregate_flows') }}
    where cmd_level = 'HS2' and partner_code = 0
    group by trade_year, reporter_code, flow

)

select
    coalesce(totals.trade_year, chapters.trade_year) as trade_year,
    coalesce(totals.reporter_code, chapters.reporter_code) as reporter_code,
    coalesce(totals.flow, chapters.flow) as flow,
    totals.all_goods_usd,
    chapters.manufactured_usd,
    coalesce(chapters.n_chapters, 0) as n_chapters,
    case
        when totals.origin is null then chapters.origin
        when chapters.origin is null or chapters.origin = totals.origin then totals.origin
        else 'mixed'
    end as origin
from totals
full outer join chapters
    on
        totals.trade_year = chapters.trade_year
        and totals.reporter_code = chapters.reporter_code
        and totals.flow = chapters.flow
