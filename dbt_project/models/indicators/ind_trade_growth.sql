-- Annual export and import totals and their growth (docs/method.md section 3.7). Growth is
-- reported only between two complete years.
with annual as (

    select
        trade_year,
        sum(case when flow = 'export' then value_usd else 0 end) as exports_usd,
        sum(case when flow = 'import' then value_usd else 0 end) as imports_usd,
        count(distinct period_month) as months_in_data,
        {{ combined_origin('origin') }} as origin
    from {{ ref('fct_customs_monthly') }}
    group by trade_year

)

select
    cur.trade_year,
    cur.months_in_data,
    cur.exports_usd,
    cur.imports_usd,
    case
        when cur.months_in_data = 12 and prev.months_in_data = 12 and prev.exports_usd > 0
            then cur.exports_usd / prev.exports_usd - 1
    end as export_growth,
    case
        when cur.months_in_data = 12 and prev.months_in_data = 12 and prev.imports_usd > 0
            then cur.imports_usd / prev.imports_usd - 1
    end as import_growth,
    cur.origin
from annual as cur
left join annual as prev on cur.trade_year = prev.trade_year + 1
