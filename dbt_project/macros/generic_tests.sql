{#- Generic data tests of the project (no dbt hub packages here). -#}

{#- Rows where the expression does not hold. -#}
{% test expression_is_true(model, expression, where_clause='1 = 1') %}
    select *
    from {{ model }}
    where {{ where_clause }} and not coalesce({{ expression }}, false)
{% endtest %}


{#- The total of `value` per group equals the total of `source_value` in `source_model`
    (filtered by `source_where`), within a relative tolerance: nothing created or lost. -#}
{% test conserves_total(model, value, source_model, source_value, group_by,
                        source_where='1 = 1', tolerance=1e-9) %}
    {%- set keys = group_by | join(', ') %}
    with after_rows as (
        select {{ keys }}, sum({{ value }}) as total_after
        from {{ model }}
        group by {{ keys }}
    ),

    before_rows as (
        select {{ keys }}, sum({{ source_value }}) as total_before
        from {{ source_model }}
        where {{ source_where }}
        group by {{ keys }}
    )

    select
        {% for key in group_by %}coalesce(before_rows.{{ key }}, after_rows.{{ key }}) as {{ key }}, {% endfor %}
        before_rows.total_before,
        after_rows.total_after
    from before_rows
    full outer join after_rows
        on {% for key in group_by %}before_rows.{{ key }} = after_rows.{{ key }}{% if not loop.last %} and {% endif %}{% endfor %}
    where
        before_rows.total_before is null
        or after_rows.total_after is null
        or abs(before_rows.total_before - after_rows.total_after)
        > {{ tolerance }} * greatest(abs(before_rows.total_before), 1)
{% endtest %}


{#- Groups (by `group_by`) in which `column_name` takes more than one value. -#}
{% test one_value_per_group(model, column_name, group_by) %}
    select {{ group_by | join(', ') }}, count(distinct {{ column_name }}) as n_values
    from {{ model }}
    group by {{ group_by | join(', ') }}
    having count(distinct {{ column_name }}) > 1
{% endtest %}


{#- Rows where `column_name` lies outside [min_value, max_value] (a missing bound is open;
    null values are left to not_null). -#}
{% test value_between(model, column_name, min_value=none, max_value=none) %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} is not null
      and (
        {%- if min_value is not none %} {{ column_name }} < {{ min_value }}{% else %} false{% endif %}
        or {% if max_value is not none %}{{ column_name }} > {{ max_value }}{% else %}false{% endif -%}
      )
{% endtest %}
