{#- Facts more than one place needs, written once. Each macro returns a plain literal
    (Python syntax as well as Jinja), which orchestration/lib/reference/shared_facts.py
    reads for the Python side; nothing else writes these values. -#}

{#- Which HS revision China's tariff followed in which years (first and last year; the
    newest is open, 9999). -#}
{% macro hs_revision_windows() -%}
    {{- return([
        {"hs_revision": "HS2012", "first_year": 2012, "last_year": 2016},
        {"hs_revision": "HS2017", "first_year": 2017, "last_year": 2021},
        {"hs_revision": "HS2022", "first_year": 2022, "last_year": 9999},
    ]) -}}
{%- endmacro %}


{#- The labels of the four patterns of seed 000 (docs/method.md section 3.4). -#}
{% macro pattern_labels() -%}
    {{- return({
        "stockpiling": "stockpiling or policy disturbance",
        "no_effect": "no discernable effect",
        "substitution": "successful import substitution",
        "undefined": "undefined",
    }) -}}
{%- endmacro %}


{#- Rows whose `column_name` is not one of the pattern labels. -#}
{% test is_pattern_label(model, column_name) %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} is not null
      and {{ column_name }} not in (
        {%- for label in pattern_labels().values() %}'{{ label }}'{% if not loop.last %}, {% endif %}{% endfor -%}
      )
{% endtest %}
