{#- Before an incremental build of stg_customs__monthly_trade: delete the month-and-flow
    slices whose raw rows were replaced (loaded after the newest row already staged).
    A table staged before files had a grain is emptied, so every slice is staged again. -#}
{% macro delete_replaced_customs_slices() %}
    {% if is_incremental() %}
        {% set staged = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list %}
        {% if 'grain' not in staged %}
            delete from {{ this }}
        {% else %}
            delete from {{ this }}
            where {{ dbt.concat(["period_month", "'|'", "flow"]) }} in (
                select distinct {{ dbt.concat(["period_month", "'|'", "flow"]) }}
                from {{ source('customs', 'customs_monthly_trade') }}
                where loaded_at > (select max(loaded_at) from {{ this }})
            )
        {% endif %}
    {% endif %}
{% endmacro %}
