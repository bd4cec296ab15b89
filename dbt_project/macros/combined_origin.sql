{#- The origin of an aggregate: 'real' or 'synthetic' when all its rows agree, else
    'mixed', so a synthetic figure never passes for a real one. -#}
{% macro combined_origin(column) -%}
    case when min({{ column }}) = max({{ column }}) then min({{ column }}) else 'mixed' end
{%- endmacro %}
