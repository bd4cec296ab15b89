{#- 'YYYY-MM' to the first day of the month, portable across DuckDB and Spark. -#}
{% macro month_to_date(column) -%}
    cast({{ dbt.concat([column, "'-01'"]) }} as date)
{%- endmacro %}

{#- Months since year 0, so month arithmetic (lags, windows) is integer arithmetic. -#}
{% macro month_index(column) -%}
    (cast(substr({{ column }}, 1, 4) as integer) * 12 + cast(substr({{ column }}, 6, 2) as integer) - 1)
{%- endmacro %}


{#- The HS revision China's tariff followed in a given year. -#}
{% macro hs_revision_of_year(year_expr) -%}
    case when {{ year_expr }} < 2017 then 'HS2012'
         when {{ year_expr }} < 2022 then 'HS2017'
         else 'HS2022' end
{%- endmacro %}
