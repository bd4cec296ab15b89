-- Sector by year with both ratings. Competitiveness (seed 002 L1212): strong above 20%
-- of world exports with a Chinese firm in the global top 10 (ref_mic25_top10_firms;
-- 'unknown' where it has no entry); weak when both share and dominance are below 10%;
-- otherwise mixed.
{%- set strong_share = setting_number('competitiveness_strong_share', 0.20) %}
{%- set weak_below = setting_number('competitiveness_weak_below', 0.10) %}
with spine as (

    select
        sectors.sector_id,
        sectors.sector_name,
        years.trade_year
    from (
        select distinct
            cast(sector_id as string) as sector_id,
            sector_name
        from {{ ref('ref_mic25_sectors') }}
    ) as sectors
    cross join (select distinct trade_year from {{ ref('ind_hs6_world_share') }}) as years

),

dependence as (

    select * from {{ ref('ind_mic25_import_dependence') }}

),

exports as (

    select * from {{ ref('ind_mic25_export_share') }}

),

firms as (

    select
        cast(sector_id as string) as sector_id,
        chinese_firm_in_top10
    from {{ ref('ref_mic25_top10_firms') }}

)

select
    spine.sector_id,
    spine.sector_name,
    spine.trade_year,
    dependence.dependent_share,
    coalesce(dependence.import_dependence_rating, 'n/a') as import_dependence_rating,
    exports.china_world_export_share,
    exports.dominance_share,
    coalesce(firms.chinese_firm_in_top10, 'unknown') as chinese_firm_in_top10,
    case
        when exports.china_world_export_share is null then 'n/a'
        when
            exports.china_world_export_share > {{ strong_share }}
            and coalesce(firms.chinese_firm_in_top10, 'unknown') = 'yes' then 'strong'
        when
            exports.china_world_export_share > {{ strong_share }}
            and coalesce(firms.chinese_firm_in_top10, 'unknown') = 'unknown'
            then 'strong or mixed (top-10 unknown)'
        when
            exports.china_world_export_share < {{ weak_below }}
            and exports.dominance_share < {{ weak_below }} then 'weak'
        else 'mixed'
    end as competitiveness_rating,
    case
        when dependence.origin is null and exports.origin is null then 'none'
        when dependence.origin is null then exports.origin
        when exports.origin is null or exports.origin = dependence.origin then dependence.origin
        else 'mixed'
    end as origin
from spine
left join dependence
    on
        spine.sector_id = cast(dependence.sector_id as string)
        and spine.trade_year = dependence.trade_year
left join exports
    on
        spine.sector_id = cast(exports.sector_id as string)
        and spine.trade_year = exports.trade_year
left join firms on spine.sector_id = firms.sector_id
