{#- 'YYYY-MM' to the first day of the month, portable across DuckDB and Spark. -#}
{% macro month_to_date(column) -%}
    cast({{ dbt.concat([column, "'-01'"]) }} as date)
{%- endmacro %}

{#- Months since year 0, so month arithmetic (lags, windows) is integer arithmetic. -#}
{% macro month_index(column) -%}
    (cast(substr({{ column }}, 1, 4) as integer) * 12 + cast(substr({{ column }}, 6, 2) as integer) - 1)
{%- endmacro %}


{#- The HS revision China's tariff followed in a given year (shared_facts.sql holds the
    windows; a year before the first window gets the first revision). -#}
{% macro hs_revision_of_year(year_expr) -%}
    {%- set windows = hs_revision_windows() -%}
    case
    {%- for w in windows[:-1] %}
        when {{ year_expr }} <= {{ w.last_year }} then '{{ w.hs_revision }}'
    {%- endfor %}
        else '{{ windows[-1].hs_revision }}' end
{%- endmacro %}
