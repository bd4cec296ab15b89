-- The series the volatility and growth indices are computed on: per batch and group,
-- monthly (default) or annual imports inside the window (settings: frequency,
-- window_start, window_end). A view, as the intermediate models are: it sits in the
-- indicators layer because it reads a mart.
{{ config(materialized='view', contract={'enforced': false}) }}
{%- set frequency = setting('frequency', 'monthly') %}
{%- set window_start = setting('window_start', '2015-01') %}
{%- set window_end = setting('window_end', '9999-12') %}
with panel as (

    select * from {{ ref('fct_tech_group_monthly') }}
    where period_month >= '{{ window_start }}' and period_month <= '{{ window_end }}'

)

{%- if frequency == 'annual' %}
select
    batch,
    group_id,
    cast(trade_year as string) as period,
    trade_year as period_no,
    -- a year counts only when all twelve months have a value (none missing or
    -- not downloaded)
    case when count(imports_usd) = 12 then sum(imports_usd) end as x
from panel
group by batch, group_id, trade_year
{%- else %}

    select
        batch,
        group_id,
        period_month as period,
        {{ month_index('period_month') }} as period_no,
        imports_usd as x
    from panel
{%- endif %}
