-- Volatility index V, growth index G, tier and pattern per group and batch (docs/method.md
-- sections 3.2-3.4), with the settings used written on every row.
{%- set weights = setting('growth_weights', 'linear') %}
{%- set base = setting('growth_base', 'first') %}
{%- set g_threshold = setting_number('g_threshold', 0.5) %}
{%- set v_high = setting_number('v_high', 0.30) %}
{%- set v_low = setting_number('v_low', 0.235) %}
{%- set margin = setting_number('borderline_margin', 0.01) %}
with indices as (

    {{ volatility_growth(ref('ind_tech_group_series'), weights=weights, base=base) }}

),

origins as (

    select
        batch,
        group_id,
        {{ combined_origin('origin') }} as origin
    from {{ ref('fct_tech_group_monthly') }}
    group by batch, group_id

)

select
    indices.batch,
    indices.group_id,
    groups.group_name,
    groups.category,
    groups.is_semiconductor,
    indices.first_period as window_start,
    indices.last_period as window_end,
    indices.n_periods,
    indices.n_periods_missing,
    indices.x_base,
    -- reported to 6 decimals; tiers, patterns and flags use the unrounded values
    round(indices.v, 6) as v,
    round(indices.g, 6) as g,
    indices.undefined_reason,
    {{ volatility_tier('indices.v', v_high, v_low) }} as volatility_tier,
    {{ growth_class('indices.g', g_threshold) }} as growth_class,
    {{ pattern('indices.g', 'indices.v', g_threshold, v_high) }} as pattern,
    coalesce(
        abs(indices.g - {{ g_threshold }}) < {{ margin }}
        or abs(indices.v - {{ v_high }}) < {{ margin }}
        or abs(indices.v - {{ v_low }}) < {{ margin }},
        false
    ) as is_borderline,
    '{{ setting("frequency", "monthly") }}' as setting_frequency,
    '{{ weights }}' as setting_weights,
    '{{ base }}' as setting_base,
    {{ g_threshold }} as setting_g_threshold,
    {{ v_high }} as setting_v_high,
    {{ v_low }} as setting_v_low,
    origins.origin
from indices
inner join {{ ref('dim_tech_group') }} as groups on indices.group_id = groups.group_id
left join origins on indices.batch = origins.batch and indices.group_id = origins.group_id
