{#- Before an incremental build of stg_customs__monthly_trade: delete the month-and-flow
    slices whose raw rows changed since they were staged (a newer file, or a revert back
    to older files: rows, first or last load time differ) and the slices raw no longer
    has. A table staged before files had a grain is emptied, so every slice is staged
    again. -#}
{% macro delete_replaced_customs_slices() %}
    {% if is_incremental() %}
        {% set staged = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list %}
        {% if 'grain' not in staged %}
            delete from {{ this }}
        {% else %}
            {% set slice_key = dbt.concat(["period_month", "'|'", "flow"]) %}
            delete from {{ this }}
            where {{ slice_key }} in (
                select raw_slices.slice_key
                from (
                    select
                        {{ slice_key }} as slice_key,
                        count(*) as n_rows,
                        min(loaded_at) as first_loaded,
                        max(loaded_at) as last_loaded
                    from {{ source('customs', 'customs_monthly_trade') }}
                    group by 1
                ) as raw_slices
                inner join (
                    select
                        {{ slice_key }} as slice_key,
                        count(*) as n_rows,
                        min(loaded_at) as first_loaded,
                        max(loaded_at) as last_loaded
                    from {{ this }}
                    group by 1
                ) as staged_slices
                    on raw_slices.slice_key = staged_slices.slice_key
                where raw_slices.n_rows != staged_slices.n_rows
                    or raw_slices.first_loaded != staged_slices.first_loaded
                    or raw_slices.last_loaded != staged_slices.last_loaded
            )
            or {{ slice_key }} not in (
                select distinct {{ slice_key }}
                from {{ source('customs', 'customs_monthly_trade') }}
            )
        {% endif %}
    {% endif %}
{% endmacro %}
