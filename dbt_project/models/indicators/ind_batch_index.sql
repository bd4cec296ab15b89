-- Imports of each batch indexed to the base year (2018 = 100 by default), by month
-- (against the base year's monthly mean) and by year (docs/method.md section 3.5).
{%- set base_year = setting('index_base_year', '2018') %}
with monthly as (

    select
        batch,
        batch_name,
        period_month,
        trade_year,
        -- a month with a group not downloaded has no batch total
        case when count(imports_usd) = count(*) then sum(imports_usd) end as imports_usd,
        {{ combined_origin('origin') }} as origin
    from {{ ref('fct_tech_group_monthly') }}
    group by batch, batch_name, period_month, trade_year

),

base as (

    select
        batch,
        avg(imports_usd) as base_monthly_mean,
        sum(imports_usd) as base_year_total,
        count(imports_usd) as base_months
    from monthly
    where trade_year = {{ base_year }}
    group by batch

),

annual as (

    select
        batch,
        batch_name,
        trade_year,
        sum(imports_usd) as imports_usd,
        count(imports_usd) as months_in_data,
        {{ combined_origin('origin') }} as origin
    from monthly
    group by batch, batch_name, trade_year

)

select
    monthly.batch,
    monthly.batch_name,
    'month' as frequency,
    monthly.period_month as period,
    monthly.imports_usd,
    100 * monthly.imports_usd / nullif(base.base_monthly_mean, 0) as index_value,
    {{ base_year }} as base_year,
    monthly.origin
from monthly
left join base on monthly.batch = base.batch

union all

select
    annual.batch,
    annual.batch_name,
    'year' as frequency,
    cast(annual.trade_year as string) as period,
    annual.imports_usd,
    case
        when annual.months_in_data = 12 and base.base_months = 12
            then 100 * annual.imports_usd / nullif(base.base_year_total, 0)
    end as index_value,
    {{ base_year }} as base_year,
    annual.origin
from annual
left join base on annual.batch = base.batch
