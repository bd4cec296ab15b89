{#- Incremental by month and flow where the engine can delete (DuckDB), a plain table on
    Spark. A replaced slice is deleted by the pre-hook, then every slice the table lacks
    is appended: dbt's delete+insert joins on the non-unique (month, flow) key, which at
    30 million rows multiplies each slice by itself. -#}
{{
    config(
        materialized='incremental' if target.type != 'spark' else 'table',
        incremental_strategy='append',
        on_schema_change='sync_all_columns',
        pre_hook="{{ delete_replaced_customs_slices() }}",
    )
}}

with source as (

    select * from {{ source('customs', 'customs_monthly_trade') }}
    {% if is_incremental() %}
        -- only the slices the table lacks (new, or just deleted as replaced): a month
        -- costs a month, not the history
        where {{ dbt.concat(["period_month", "'|'", "flow"]) }} not in (
            select distinct {{ dbt.concat(["existing.period_month", "'|'", "existing.flow"]) }}
            from {{ this }} as existing
        )
    {% endif %}

),

fx as (

    select * from {{ ref('stg_fx__monthly') }}

),

partners as (

    select
        gacc_code,
        iso3
    from {{ ref('ref_gacc_partners') }}

),

known_codes as (

    select
        hs8,
        in_force_from_year,
        in_force_to_year
    from {{ ref('stg_reference__gacc_hs8_codes') }}

)

select
    source.period_month,
    {{ month_to_date('source.period_month') }} as month_start,
    cast(substr(source.period_month, 1, 4) as integer) as trade_year,
    source.flow,
    -- the dimensions the file carried ('commodity', 'commodity,partner', ...): rows of
    -- different grains describe the same trade and are never added together
    source.grain,
    source.hs8,
    substr(source.hs8, 1, 6) as hs6,
    source.product_name,
    source.partner_code,
    source.partner_name,
    partners.iso3 as partner_iso3,
    -- a file without partner columns has no partner to be unknown
    source.partner_code is not null and partners.gacc_code is null as is_unknown_partner,
    -- lines that are not in China Customs' list in force that year: kept, flagged and
    -- counted (a typo, or a line of another year)
    known_codes.hs8 is null as is_unknown_code,
    source.regime_code,
    source.regime_name,
    source.location_code,
    source.location_name,
    source.qty1,
    source.unit1,
    source.qty2,
    source.unit2,
    source.value_native,
    source.currency as native_currency,
    case
        when source.currency = 'USD' then source.value_native
        else source.value_native / fx.cny_per_usd
    end as value_usd,
    fx.cny_per_usd as fx_cny_per_usd,
    source.source_file,
    source.file_sha256,
    source.loaded_at as vintage,
    source.loaded_at,
    source.origin
from source
left join fx on source.period_month = fx.period_month
left join partners on source.partner_code = partners.gacc_code
left join known_codes
    on
        source.hs8 = known_codes.hs8
        and cast(substr(source.period_month, 1, 4) as integer)
        between known_codes.in_force_from_year and known_codes.in_force_to_year
