-- One row per technology group, batch and month from the first to the last month of the
-- customs data (docs/method.md section 3.1). A code of the group that was loaded, or asked for
-- by a declared query and absent, counts (absent = no trade = zero); a code not
-- downloaded that month, or a month with no import file at all, makes the group-month
-- null with a reason, never zero: a gap in the downloads is not a fall in imports.
with months as (

    select
        period_month,
        trade_year,
        month_idx
    from {{ ref('int_customs__months') }}
    where flow = 'import'

),

loaded_months as (

    select
        period_month,
        {{ combined_origin('origin') }} as origin
    from {{ ref('int_customs__code_totals') }}
    where flow = 'import'
    group by period_month

),

batch_groups as (

    select distinct
        batch,
        batch_name,
        group_id
    from {{ ref('stg_reference__tech_batches') }}

),

codes as (

    select
        batch,
        group_id,
        hs8,
        valid_from,
        valid_to
    from {{ ref('stg_reference__tech_batches') }}

),

covered as (

    -- covered at any grain: a total exists, or a declared query found no trade
    select
        period_month,
        hs8,
        max(case when status <> 'not downloaded' then 1 else 0 end) as is_covered
    from {{ ref('int_customs__code_coverage') }}
    where flow = 'import'
    group by period_month, hs8

),

code_months as (

    select
        codes.batch,
        codes.group_id,
        months.period_month,
        codes.hs8,
        tech.value_usd,
        tech.origin,
        coalesce(covered.is_covered, 0) as is_covered
    from codes
    inner join months
        on codes.valid_from <= months.period_month and codes.valid_to >= months.period_month
    left join {{ ref('int_customs__tech_imports') }} as tech
        on
            codes.batch = tech.batch
            and codes.hs8 = tech.hs8
            and months.period_month = tech.period_month
    left join covered
        on months.period_month = covered.period_month and codes.hs8 = covered.hs8

),

by_group as (

    select
        batch,
        group_id,
        period_month,
        count(*) as codes_expected,
        count(value_usd) as codes_reporting,
        sum(is_covered) as codes_covered,
        coalesce(sum(value_usd), 0) as imports_usd,
        min(origin) as min_origin,
        max(origin) as max_origin
    from code_months
    group by batch, group_id, period_month

),

panel as (

    select
        batch_groups.batch,
        batch_groups.batch_name,
        batch_groups.group_id,
        months.period_month,
        months.trade_year,
        months.month_idx,
        coalesce(by_group.codes_expected, 0) as codes_expected,
        coalesce(by_group.codes_reporting, 0) as n_hs8_reporting,
        case
            when coalesce(by_group.codes_expected, 0) = 0 then 1.0
            else 1.0 * by_group.codes_covered / by_group.codes_expected
        end as coverage_share,
        case
            when loaded_months.period_month is null
                then 'no import file loaded for this month'
            when by_group.codes_covered < by_group.codes_expected
                then {{ dbt.concat([
                    "'not downloaded: '",
                    "cast(by_group.codes_expected - by_group.codes_covered as string)",
                    "' of '",
                    "cast(by_group.codes_expected as string)",
                    "' codes'",
                ]) }}
        end as null_reason,
        coalesce(by_group.imports_usd, 0) as imports_usd_loaded,
        case
            when by_group.min_origin = by_group.max_origin then by_group.min_origin
            when by_group.min_origin is not null then 'mixed'
            else loaded_months.origin
        end as origin
    from batch_groups
    cross join months
    left join by_group
        on
            batch_groups.batch = by_group.batch
            and batch_groups.group_id = by_group.group_id
            and months.period_month = by_group.period_month
    left join loaded_months on months.period_month = loaded_months.period_month

),

valued as (

    select
        panel.*,
        case when panel.null_reason is null then panel.imports_usd_loaded end as imports_usd
    from panel

),

with_windows as (

    select
        valued.*,
        lag12.imports_usd as imports_usd_year_ago,
        sum(valued.imports_usd) over (
            partition by valued.batch, valued.group_id order by valued.month_idx
            range between 11 preceding and current row
        ) as rolling_12m_sum_raw,
        count(valued.imports_usd) over (
            partition by valued.batch, valued.group_id order by valued.month_idx
            range between 11 preceding and current row
        ) as rolling_12m_months
    from valued
    left join valued as lag12
        on
            valued.batch = lag12.batch
            and valued.group_id = lag12.group_id
            and valued.month_idx - 12 = lag12.month_idx

)

select
    groups.group_id,
    groups.group_name,
    groups.category,
    groups.is_semiconductor,
    groups.output_category,
    w.batch,
    w.batch_name,
    w.period_month,
    {{ month_to_date('w.period_month') }} as month_start,
    w.trade_year,
    w.imports_usd,
    w.null_reason,
    case
        when w.imports_usd_year_ago > 0 then w.imports_usd / w.imports_usd_year_ago - 1
    end as yoy_change,
    -- the rolling sum is only defined over 12 months that all have a value
    case when w.rolling_12m_months = 12 then w.rolling_12m_sum_raw end as rolling_12m_usd,
    case
        when w.rolling_12m_months = 12 then w.rolling_12m_sum_raw / gdp.gdp_usd
    end as rolling_12m_share_of_gdp,
    w.n_hs8_reporting,
    w.codes_expected,
    w.coverage_share,
    w.origin
from with_windows as w
inner join {{ ref('dim_tech_group') }} as groups on w.group_id = groups.group_id
left join (
    select
        gdp_year,
        gdp_usd
    from {{ ref('stg_gdp__annual') }}
    where iso3 = 'CHN'
) as gdp on w.trade_year = gdp.gdp_year
