{#- Formulas of docs/method.md sections 3.2-3.4, shared by the pattern and sensitivity models. -#}

{#- Volatility V and growth G per batch and group over a series relation with columns
    batch, group_id, period (sortable text), period_no (calendar position, integer), x.
    weights: 'linear' (w_t = t) or 'equal'; base: 'first' (x_1) or 'first_year_mean'.
    G is undefined (null, flagged) when the base is zero or missing; both are undefined
    when the window holds fewer than two periods. -#}
{% macro volatility_growth(series, weights='linear', base='first', window_start=none,
                           window_end=none) %}
    with series as (

        select * from {{ series }}
        where x is not null
        {%- if window_start %} and period_no >= {{ period_no_of(window_start, 'start') }}{% endif %}
        {%- if window_end %} and period_no <= {{ period_no_of(window_end, 'end') }}{% endif %}

    ),

    positioned as (

        select
            series.*,
            period_no - min(period_no) over (partition by batch, group_id) + 1 as t
        from series

    ),

    base_values as (

        select
            batch,
            group_id,
            {%- if base == 'first_year_mean' %}
            avg(case when t <= {{ 12 if setting('frequency', 'monthly') == 'monthly' else 1 }} then x end) as x_base,
            {%- else %}
            max(case when t = 1 then x end) as x_base,
            {%- endif %}
            count(*) as n_periods,
            min(period) as first_period,
            max(period) as last_period,
            max(t) - count(*) as n_periods_missing
        from positioned
        group by batch, group_id

    ),

    stats as (

        select
            positioned.batch,
            positioned.group_id,
            stddev_samp(positioned.x) / nullif(avg(positioned.x), 0) as v,
            sum(
                {{ '1' if weights == 'equal' else 'positioned.t' }}
                * (positioned.x - base_values.x_base) / nullif(base_values.x_base, 0)
            ) / sum({{ '1' if weights == 'equal' else 'positioned.t' }}) as g_raw
        from positioned
        inner join base_values
            on positioned.batch = base_values.batch and positioned.group_id = base_values.group_id
        group by positioned.batch, positioned.group_id

    )

    select
        base_values.batch,
        base_values.group_id,
        base_values.n_periods,
        base_values.n_periods_missing,
        base_values.first_period,
        base_values.last_period,
        base_values.x_base,
        case when base_values.n_periods >= 2 then stats.v end as v,
        case
            when base_values.n_periods >= 2 and base_values.x_base > 0 then stats.g_raw
        end as g,
        case
            when base_values.n_periods < 2 then 'window shorter than two periods'
            when base_values.x_base is null or base_values.x_base <= 0 then 'zero or missing base'
        end as undefined_reason
    from base_values
    inner join stats
        on base_values.batch = stats.batch and base_values.group_id = stats.group_id
{% endmacro %}


{#- A window bound 'YYYY-MM' as the series' period_no (months since year 0, or the year
    under the annual frequency), so bounds compare as numbers: the text '2016' sorts
    before '2016-01'. Under annual frequency a year is in the window only when all its
    months are, so a start month after January starts at the next year and an end month
    before December ends at the year before. -#}
{%- macro period_no_of(month, bound) -%}
    {%- set year = month[:4] | int -%}
    {%- set mon = month[5:7] | int -%}
    {%- if setting('frequency', 'monthly') == 'annual' -%}
        {%- if bound == 'start' -%}{{ year if mon == 1 else year + 1 }}
        {%- else -%}{{ year if mon == 12 else year - 1 }}{%- endif -%}
    {%- else -%}{{ year * 12 + mon - 1 }}{%- endif -%}
{%- endmacro %}


{%- macro volatility_tier(v, v_high, v_low) -%}
    case
        when {{ v }} is null then null
        when {{ v }} > {{ v_high }} then 'high'
        when {{ v }} >= {{ v_low }} then 'medium'
        else 'low'
    end
{%- endmacro %}


{%- macro growth_class(g, g_threshold) -%}
    case when {{ g }} is null then null when {{ g }} > {{ g_threshold }} then 'high' else 'low' end
{%- endmacro %}


{#- Seed 000: stockpiling = G > 0.5 and V > 0.3; no effect = G > 0.5 and V <= 0.3;
    substitution = G <= 0.5 (see docs/method.md section 3.4 for the boundaries the study
    leaves open). The labels are pattern_labels() (shared_facts.sql). -#}
{%- macro pattern(g, v, g_threshold, v_high) -%}
    {%- set labels = pattern_labels() -%}
    case
        when {{ g }} is null or {{ v }} is null then '{{ labels.undefined }}'
        when {{ g }} > {{ g_threshold }} and {{ v }} > {{ v_high }}
            then '{{ labels.stockpiling }}'
        when {{ g }} > {{ g_threshold }} then '{{ labels.no_effect }}'
        else '{{ labels.substitution }}'
    end
{%- endmacro %}
