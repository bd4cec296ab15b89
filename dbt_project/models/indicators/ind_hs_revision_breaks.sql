-- For each code of the technology groups and the Made in China 2025 sectors (in HS2017),
-- the change at each HS revision boundary (2016 -> 2017, 2021 -> 2022) in China's
-- imports, China's exports and world exports, with the codes reported on each side, so
-- a user sees where a series jumps because of a revision rather than trade. Years are
-- carried into HS2017 by int_hs6_conversion (hs_conversion names the method);
-- n_correlated_before/after > 1 means the UNSD correlation links the reported code to
-- several codes, i.e. part of its content moved.
{%- set boundaries = [(2016, 2017), (2021, 2022)] %}
with group_codes as (

    select distinct
        concordance.hs6_hs2017 as hs6,
        {{ dbt.concat(["'tech group '", dbt.cast("batches.group_id", dbt.type_string())]) }}
            as listed_in
    from {{ ref('stg_reference__tech_batches') }} as batches
    inner join {{ ref('stg_reference__hs_concordance') }} as concordance
        on
            batches.hs6 = concordance.hs6
            and concordance.hs_revision
            = {{ hs_revision_of_year("cast(substr(batches.valid_from, 1, 4) as integer)") }}

),

sector_codes as (

    select distinct
        hs6_hs2017 as hs6,
        {{ dbt.concat(["'MIC25 sector '", "sector_id"]) }} as listed_in
    from {{ ref('int_mic25_sector_codes') }}

),

codes as (

    select
        hs6,
        {{ sorted_distinct_list_agg('listed_in', "'; '") }} as listed_in
    from (
        select * from group_codes
        union all
        select * from sector_codes
    ) as listed
    group by hs6

),

flows as (

    select
        canonical.*,
        coalesce(concordance.n_correlated, 1) as n_correlated
    from {{ ref('int_comtrade__hs6_canonical') }} as canonical
    left join {{ ref('stg_reference__hs_concordance') }} as concordance
        on
            canonical.hs_revision = concordance.hs_revision
            and canonical.hs6_reported = concordance.hs6
    where canonical.partner_code = 0 and not canonical.is_aggregate_reporter

),

yearly as (

    select
        trade_year,
        hs6,
        sum(case when reporter_code = 156 and flow = 'import' then value_usd else 0 end)
            as china_imports_usd,
        sum(case when reporter_code = 156 and flow = 'export' then value_usd else 0 end)
            as china_exports_usd,
        sum(case when flow = 'export' then value_usd else 0 end) as world_exports_usd,
        {{ sorted_distinct_list_agg(
            "case when reporter_code = 156 then " ~ dbt.concat(["hs_revision", "' '", "hs6_reported"]) ~ " end",
            "', '") }} as china_codes_reported,
        max(case when reporter_code = 156 then n_correlated end) as china_n_correlated,
        {{ combined_origin('origin') }} as origin
    from flows
    group by trade_year, hs6

),

boundaries as (
    {%- for before, after in boundaries %}
        select
            '{{ before }}->{{ after }}' as boundary,
            {{ before }} as year_before,
            {{ after }} as year_after
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

)

select
    boundaries.boundary,
    codes.hs6,
    codes.listed_in,
    b.china_codes_reported as china_codes_before,
    a.china_codes_reported as china_codes_after,
    b.china_n_correlated as n_correlated_before,
    a.china_n_correlated as n_correlated_after,
    b.china_imports_usd as china_imports_before_usd,
    a.china_imports_usd as china_imports_after_usd,
    a.china_imports_usd / nullif(b.china_imports_usd, 0) - 1 as china_imports_change,
    b.china_exports_usd as china_exports_before_usd,
    a.china_exports_usd as china_exports_after_usd,
    a.china_exports_usd / nullif(b.china_exports_usd, 0) - 1 as china_exports_change,
    b.world_exports_usd as world_exports_before_usd,
    a.world_exports_usd as world_exports_after_usd,
    a.world_exports_usd / nullif(b.world_exports_usd, 0) - 1 as world_exports_change,
    '{{ setting("hs_conversion", "unsd") }}' as hs_conversion,
    case
        when b.origin is null or a.origin is null then coalesce(b.origin, a.origin)
        when b.origin = a.origin then b.origin
        else 'mixed'
    end as origin
from codes
cross join boundaries
left join yearly as b on codes.hs6 = b.hs6 and boundaries.year_before = b.trade_year
left join yearly as a on codes.hs6 = a.hs6 and boundaries.year_after = a.trade_year
where b.hs6 is not null or a.hs6 is not null
