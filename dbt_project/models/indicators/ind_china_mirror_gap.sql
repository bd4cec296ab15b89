-- China's imports three ways, per year and HS6 (HS2017), HS4 and in total:
--   customs: China Customs' monthly HS8 imports (CIF) summed to HS6 and year, each code in
--     its year's revision carried into HS2017 by int_hs6_conversion as Comtrade's are;
--   comtrade_china: what China reported to Comtrade (CIF, partner World);
--   partners: what the other reporters report exporting to China (FOB), and the same
--     times the CIF/FOB factor (setting cif_fob_factor) to compare like with like.
-- Customs and China's Comtrade report are the same statistics: a gap between them is a
-- loading problem (a month missing, a file of another revision), not economics. China's
-- report and its partners' differ for real reasons (freight and insurance, Hong Kong and
-- other re-exports, partners that do not report, timing), which is what this table shows.
-- The total level is the all-goods figures (Comtrade's TOTAL rows beside every customs
-- line of the year), never a sum of the loaded HS6 codes, which would be a part of it;
-- without TOTAL rows its Comtrade columns are null. exceeds_loading_tolerance is set on
-- full customs years where customs and China's report differ by more than the setting
-- customs_comtrade_tolerance (relative, default 0.02).
{%- set factor = setting_number('cif_fob_factor', 1.06) %}
{%- set tolerance = setting_number('customs_comtrade_tolerance', 0.02) %}
with customs_months as (

    select
        trade_year,
        count(distinct period_month) as customs_months
    from {{ ref('int_customs__code_totals') }}
    where flow = 'import'
    group by trade_year

),

customs_hs6 as (

    select
        totals.trade_year,
        coalesce(conversion.hs6_hs2017, totals.hs6) as hs6,
        sum(totals.value_usd * coalesce(conversion.weight, 1.0)) as customs_imports_usd,
        {{ combined_origin('totals.origin') }} as origin
    from {{ ref('int_customs__code_totals') }} as totals
    left join {{ ref('int_hs6_conversion') }} as conversion
        on
            {{ hs_revision_of_year('totals.trade_year') }} = conversion.hs_revision
            and totals.hs6 = conversion.hs6
    where totals.flow = 'import'
    group by totals.trade_year, coalesce(conversion.hs6_hs2017, totals.hs6)

),

comtrade as (

    select
        trade_year,
        hs6,
        sum(case when reporter_code = 156 then value_usd end) as comtrade_china_imports_usd,
        sum(case when reporter_code != 156 then value_usd end) as partner_exports_fob_usd,
        count(distinct case when reporter_code != 156 then reporter_code end)
            as n_partners_reporting,
        {{ combined_origin('origin') }} as origin
    from {{ ref('int_comtrade__hs6_canonical') }}
    where
        not is_aggregate_reporter
        and (
            (reporter_code = 156 and flow = 'import' and partner_code = 0)
            or (reporter_code != 156 and flow = 'export' and partner_code = 156)
        )
    group by trade_year, hs6

),

hs6_rows as (

    select
        coalesce(customs_hs6.trade_year, comtrade.trade_year) as trade_year,
        'hs6' as level,
        coalesce(customs_hs6.hs6, comtrade.hs6) as code,
        customs_hs6.customs_imports_usd,
        comtrade.comtrade_china_imports_usd,
        comtrade.partner_exports_fob_usd,
        coalesce(comtrade.n_partners_reporting, 0) as n_partners_reporting,
        case
            when customs_hs6.origin is null then comtrade.origin
            when comtrade.origin is null or comtrade.origin = customs_hs6.origin
                then customs_hs6.origin
            else 'mixed'
        end as origin
    from customs_hs6
    full outer join comtrade
        on customs_hs6.trade_year = comtrade.trade_year and customs_hs6.hs6 = comtrade.hs6

),

hs4_rows as (

    select
        trade_year,
        'hs4' as level,
        substr(code, 1, 4) as code,
        sum(customs_imports_usd) as customs_imports_usd,
        sum(comtrade_china_imports_usd) as comtrade_china_imports_usd,
        sum(partner_exports_fob_usd) as partner_exports_fob_usd,
        max(n_partners_reporting) as n_partners_reporting,
        {{ combined_origin('origin') }} as origin
    from hs6_rows
    group by trade_year, substr(code, 1, 4)

),

comtrade_total as (

    select
        trade_year,
        sum(case when reporter_code = 156 then primary_value_usd end)
            as comtrade_china_imports_usd,
        sum(case when reporter_code != 156 then primary_value_usd end) as partner_exports_fob_usd,
        count(distinct case when reporter_code != 156 then reporter_code end)
            as n_partners_reporting,
        {{ combined_origin('origin') }} as origin
    from {{ ref('stg_comtrade__annual_flows') }}
    where
        hs6 = 'TOTAL'
        and (
            (reporter_code = 156 and flow = 'import' and partner_code = 0)
            or (reporter_code != 156 and flow = 'export' and partner_code = 156)
        )
        and reporter_code not in (
            select aggregates.comtrade_code
            from {{ ref('ref_comtrade_aggregate_reporters') }} as aggregates
        )
    group by trade_year

),

customs_total as (

    select
        trade_year,
        sum(customs_imports_usd) as customs_imports_usd,
        {{ combined_origin('origin') }} as origin
    from customs_hs6
    group by trade_year

),

total_rows as (

    select
        coalesce(customs_total.trade_year, comtrade_total.trade_year) as trade_year,
        'total' as level,
        'TOTAL' as code,
        customs_total.customs_imports_usd,
        comtrade_total.comtrade_china_imports_usd,
        comtrade_total.partner_exports_fob_usd,
        coalesce(comtrade_total.n_partners_reporting, 0) as n_partners_reporting,
        case
            when customs_total.origin is null then comtrade_total.origin
            when comtrade_total.origin is null or comtrade_total.origin = customs_total.origin
                then customs_total.origin
            else 'mixed'
        end as origin
    from customs_total
    full outer join comtrade_total on customs_total.trade_year = comtrade_total.trade_year

),

all_rows as (

    select * from hs6_rows
    union all
    select * from hs4_rows
    union all
    select * from total_rows

)

select
    all_rows.trade_year,
    all_rows.level,
    all_rows.code,
    coalesce(customs_months.customs_months, 0) as customs_months,
    all_rows.customs_imports_usd,
    all_rows.comtrade_china_imports_usd,
    all_rows.partner_exports_fob_usd,
    all_rows.partner_exports_fob_usd * {{ factor }} as partner_exports_cif_usd,
    cast({{ factor }} as double) as cif_fob_factor,
    all_rows.n_partners_reporting,
    all_rows.customs_imports_usd - all_rows.comtrade_china_imports_usd
        as gap_customs_vs_comtrade_usd,
    100.0 * (all_rows.customs_imports_usd - all_rows.comtrade_china_imports_usd)
    / nullif(all_rows.comtrade_china_imports_usd, 0) as gap_customs_vs_comtrade_pct,
    all_rows.comtrade_china_imports_usd - all_rows.partner_exports_fob_usd * {{ factor }}
        as gap_comtrade_vs_partners_usd,
    100.0 * (all_rows.comtrade_china_imports_usd - all_rows.partner_exports_fob_usd * {{ factor }})
    / nullif(all_rows.comtrade_china_imports_usd, 0) as gap_comtrade_vs_partners_pct,
    coalesce(
        all_rows.level = 'total'
        and customs_months.customs_months = 12
        and abs(all_rows.customs_imports_usd - all_rows.comtrade_china_imports_usd)
        > {{ tolerance }} * abs(all_rows.comtrade_china_imports_usd),
        false
    ) as exceeds_loading_tolerance,
    cast({{ tolerance }} as double) as loading_tolerance,
    all_rows.origin
from all_rows
left join customs_months on all_rows.trade_year = customs_months.trade_year
