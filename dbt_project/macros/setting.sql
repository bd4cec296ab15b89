{#- Analysis settings come from CHOKEPOINT_<NAME> environment variables, with the
    defaults of docs/method.md, so they change without editing SQL (README: Settings). -#}
{% macro setting(name, default) -%}
    {{- return(env_var('CHOKEPOINT_' ~ (name | upper), default | string)) -}}
{%- endmacro %}

{% macro setting_number(name, default) -%}
    {{- return(setting(name, default) | float) -}}
{%- endmacro %}
