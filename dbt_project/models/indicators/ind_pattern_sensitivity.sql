-- How robust each group's pattern is: the default verdict, and whether it changes when a
-- threshold moves by plus or minus 10%, with equal instead of linear weights, or with the
-- window starting a year later.
{%- set weights = setting('growth_weights', 'linear') %}
{%- set base = setting('growth_base', 'first') %}
{%- set g0 = setting_number('g_threshold', 0.5) %}
{%- set v0 = setting_number('v_high', 0.30) %}
{%- set start = setting('window_start', '2015-01') %}
{%- set later_start = (start[:4] | int + 1) ~ start[4:] %}
with default_run as (

    select
        batch,
        group_id,
        group_name,
        g,
        v,
        pattern,
        is_borderline
    from {{ ref('ind_group_patterns') }}

),

equal_weights as (

    {{ volatility_growth(ref('ind_tech_group_series'), weights='equal', base=base) }}

),

later_window as (

    {{ volatility_growth(ref('ind_tech_group_series'), weights=weights, base=base,
                         window_start=later_start) }}

)

select
    d.batch,
    d.group_id,
    d.group_name,
    d.g,
    d.v,
    d.pattern as default_pattern,
    {{ pattern('d.g', 'd.v', g0 * 0.9, v0) }} != d.pattern as changes_g_threshold_minus_10pct,
    {{ pattern('d.g', 'd.v', g0 * 1.1, v0) }} != d.pattern as changes_g_threshold_plus_10pct,
    {{ pattern('d.g', 'd.v', g0, v0 * 0.9) }} != d.pattern as changes_v_threshold_minus_10pct,
    {{ pattern('d.g', 'd.v', g0, v0 * 1.1) }} != d.pattern as changes_v_threshold_plus_10pct,
    e.g as g_equal_weights,
    {{ pattern('e.g', 'e.v', g0, v0) }} != d.pattern as changes_equal_weights,
    l.g as g_later_window,
    l.v as v_later_window,
    {{ pattern('l.g', 'l.v', g0, v0) }} != d.pattern as changes_later_window,
    '{{ later_start }}' as later_window_start,
    d.is_borderline
from default_run as d
left join equal_weights as e on d.batch = e.batch and d.group_id = e.group_id
left join later_window as l on d.batch = l.batch and d.group_id = l.group_id
