{#- A delimited list of values in a stable (sorted) order on every engine; dbt.listagg
    drops the ordering on Spark, which would make outputs differ between engines. -#}
{% macro sorted_list_agg(measure, delimiter) -%}
    {{ return(adapter.dispatch('sorted_list_agg', 'chokepoint')(measure, delimiter)) }}
{%- endmacro %}

{% macro default__sorted_list_agg(measure, delimiter) -%}
    string_agg({{ measure }}, {{ delimiter }} order by {{ measure }})
{%- endmacro %}

{% macro spark__sorted_list_agg(measure, delimiter) -%}
    array_join(array_sort(collect_list({{ measure }})), {{ delimiter }})
{%- endmacro %}

{#- The same with each value once. -#}
{% macro sorted_distinct_list_agg(measure, delimiter) -%}
    {{ return(adapter.dispatch('sorted_distinct_list_agg', 'chokepoint')(measure, delimiter)) }}
{%- endmacro %}

{% macro default__sorted_distinct_list_agg(measure, delimiter) -%}
    string_agg(distinct {{ measure }}, {{ delimiter }} order by {{ measure }})
{%- endmacro %}

{#- collect_set skips nulls and gives '' for none at all, where string_agg gives null. -#}
{% macro spark__sorted_distinct_list_agg(measure, delimiter) -%}
    nullif(array_join(array_sort(collect_set({{ measure }})), {{ delimiter }}), '')
{%- endmacro %}
