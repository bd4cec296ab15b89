{#- Schemas are named by layer (staging, marts, ...) rather than prefixed with the
    target schema, so BI users find stable names such as marts.fct_tech_group_monthly. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
