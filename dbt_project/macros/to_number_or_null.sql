{#- Text that may hold a number ('2.06') or a rating ('Weak') -> double or null. -#}
{% macro to_number_or_null(expr) -%}
    {{ return(adapter.dispatch('to_number_or_null', 'chokepoint')(expr)) }}
{%- endmacro %}

{% macro default__to_number_or_null(expr) -%}
    try_cast({{ expr }} as double)
{%- endmacro %}
