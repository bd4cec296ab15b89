-- One row per technology group, batch and month of the data (METHOD.md indicator 1).
-- A month the data holds but a group has no rows in counts as zero imports; months
-- absent from the data altogether are absent here too (never filled with zeros).
with months as (

    select distinct
        period_month,
        trade_year
    from {{ ref('fct_customs_monthly') }}
    where flow = 'import'

),

batch_groups as (

    select distinct
        batch,
        batch_name,
        group_id
    from {{ ref('stg_reference__tech_batches') }}

),

tech as (

    select
        batch,
        group_id,
        period_month,
        sum(value_usd) as imports_usd,
        count(distinct hs8) as n_hs8_reporting,
        {{ combined_origin('origin') }} as origin
    from {{ ref('int_customs__tech_imports') }}
    group by 1, 2, 3

),

gdp as (

    select
        gdp_year,
        gdp_usd
    from {{ ref('stg_gdp__annual') }}
    where iso3 = 'CHN'

),

panel as (

    select
        batch_groups.batch,
        batch_groups.batch_name,
        batch_groups.group_id,
        months.period_month,
        months.trade_year,
        {{ month_index('months.period_month') }} as month_idx,
        coalesce(tech.imports_usd, 0) as imports_usd,
        coalesce(tech.n_hs8_reporting, 0) as n_hs8_reporting,
        coalesce(tech.origin, origins.origin) as origin
    from batch_groups
    cross join months
    left join tech
        on
            batch_groups.batch = tech.batch
            and batch_groups.group_id = tech.group_id
            and months.period_month = tech.period_month
    left join (
        select
            period_month,
            origin
        from {{ ref('fct_customs_monthly') }}
        where flow = 'import'
    ) as origins on months.period_month = origins.period_month

),

with_windows as (

    select
        panel.*,
        lag12.imports_usd as imports_usd_year_ago,
        sum(panel.imports_usd) over (
            partition by panel.batch, panel.group_id order by panel.month_idx
            range between 11 preceding and current row
        ) as rolling_12m_sum_raw,
        count(*) over (
            partition by panel.batch, panel.group_id order by panel.month_idx
            range between 11 preceding and current row
        ) as rolling_12m_months
    from panel
    left join panel as lag12
        on
            panel.batch = lag12.batch
            and panel.group_id = lag12.group_id
            and panel.month_idx - 12 = lag12.month_idx

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
    case
        when w.imports_usd_year_ago > 0 then w.imports_usd / w.imports_usd_year_ago - 1
    end as yoy_change,
    -- the rolling sum is only defined over 12 months actually present in the data
    case when w.rolling_12m_months = 12 then w.rolling_12m_sum_raw end as rolling_12m_usd,
    case
        when w.rolling_12m_months = 12 then w.rolling_12m_sum_raw / gdp.gdp_usd
    end as rolling_12m_share_of_gdp,
    w.n_hs8_reporting,
    w.origin
from with_windows as w
inner join {{ ref('dim_tech_group') }} as groups on w.group_id = groups.group_id
left join gdp on w.trade_year = gdp.gdp_year
