{#- Before an incremental build of stg_customs__monthly_trade: delete the month-and-flow
    slices whose raw rows were replaced (loaded after the newest row already staged). -#}
{% macro delete_replaced_customs_slices() %}
    {% if is_incremental() %}
        delete from {{ this }}
        where {{ dbt.concat(["period_month", "'|'", "flow"]) }} in (
            select distinct {{ dbt.concat(["period_month", "'|'", "flow"]) }}
            from {{ source('customs', 'customs_monthly_trade') }}
            where loaded_at > (select max(loaded_at) from {{ this }})
        )
    {% endif %}
{% endmacro %}
