-- Imports of capital and intermediate goods (SNA classes through BEC) over GDP, the
-- semiconductor-related part, and the adjusted shares without it (docs/method.md section 3.6).
-- Semiconductor-related codes are those of batch 1's semiconductor groups. Each code's
-- value is split by its SNA class, the same class the totals use, so
-- capital = semiconductor capital + adjusted capital (and the same for intermediate) by
-- construction; a semiconductor group's own category (capital for Passive Components,
-- say) does not decide where its codes count.
with classified as (

    select * from {{ ref('int_customs__imports_classified') }}

),

semi_codes as (

    select distinct
        batches.hs8,
        batches.valid_from,
        batches.valid_to
    from {{ ref('stg_reference__tech_batches') }} as batches
    inner join {{ ref('dim_tech_group') }} as groups on batches.group_id = groups.group_id
    where batches.batch = 1 and groups.is_semiconductor

),

flagged as (

    select
        classified.*,
        semi_codes.hs8 is not null as is_semiconductor_code
    from classified
    left join semi_codes
        on
            classified.hs8 = semi_codes.hs8
            and classified.period_month >= semi_codes.valid_from
            and classified.period_month <= semi_codes.valid_to

),

annual as (

    select
        trade_year,
        count(distinct period_month) as months_in_data,
        sum(value_usd) as imports_usd,
        sum(case when sna_class = 'capital' then value_usd else 0 end) as capital_usd,
        sum(case when sna_class = 'intermediate' then value_usd else 0 end) as intermediate_usd,
        sum(case
            when is_semiconductor_code and sna_class = 'capital'
                then value_usd
            else 0
        end) as semi_capital_usd,
        sum(case
            when is_semiconductor_code and sna_class = 'intermediate'
                then value_usd
            else 0
        end) as semi_intermediate_usd,
        sum(case
            when sna_class = 'capital' and not is_semiconductor_code
                then value_usd
            else 0
        end) as adj_capital_usd,
        sum(case
            when sna_class = 'intermediate' and not is_semiconductor_code
                then value_usd
            else 0
        end) as adj_intermediate_usd,
        sum(case when is_unmapped then value_usd else 0 end) as unmapped_usd,
        {{ combined_origin('origin') }} as origin
    from flagged
    group by trade_year

),

gdp as (

    select
        gdp_year,
        gdp_usd,
        gdp_source,
        gdp_vintage
    from {{ ref('stg_gdp__annual') }}
    where iso3 = 'CHN'

)

select
    annual.trade_year,
    annual.months_in_data,
    annual.months_in_data = 12 as is_full_year,
    gdp.gdp_usd,
    gdp.gdp_source,
    gdp.gdp_vintage,
    annual.imports_usd,
    annual.capital_usd,
    annual.intermediate_usd,
    annual.semi_capital_usd,
    annual.semi_intermediate_usd,
    annual.adj_capital_usd,
    annual.adj_intermediate_usd,
    annual.capital_usd / gdp.gdp_usd as capital_share_of_gdp,
    annual.intermediate_usd / gdp.gdp_usd as intermediate_share_of_gdp,
    annual.semi_capital_usd / gdp.gdp_usd as semi_capital_share_of_gdp,
    annual.semi_intermediate_usd / gdp.gdp_usd as semi_intermediate_share_of_gdp,
    annual.adj_capital_usd / gdp.gdp_usd as adj_capital_share_of_gdp,
    annual.adj_intermediate_usd / gdp.gdp_usd as adj_intermediate_share_of_gdp,
    (annual.adj_capital_usd + annual.adj_intermediate_usd) / gdp.gdp_usd
        as adj_capital_plus_intermediate_share_of_gdp,
    annual.unmapped_usd / nullif(annual.imports_usd, 0) as unmapped_share,
    '{{ setting("intermediate_bec_set", "sna") }}' as setting_intermediate_bec_set,
    annual.origin
from annual
left join gdp on annual.trade_year = gdp.gdp_year
