-- Per sector and year: China's exports, world exports, China's share, the same for all
-- manufactured goods in the data (HS chapters 28-96 excluding 71) as the reference line,
-- and dominance: the share of the sector's codes where China has more than 30% of world
-- exports (setting dominance_threshold).
{%- set dominance = setting_number('dominance_threshold', 0.30) %}
with sector_codes as (

    select
        sector_id,
        sector_name,
        hs6
    from {{ ref('int_mic25_sector_codes') }}

),

shares as (

    select * from {{ ref('ind_hs6_world_share') }}
    where world_exports_usd > 0

),

manufactured as (

    select
        trade_year,
        sum(china_exports_usd) / sum(world_exports_usd) as manufactured_china_share
    from shares
    where
        cast(substr(hs6, 1, 2) as integer) between 28 and 96
        and substr(hs6, 1, 2) != '71'
    group by trade_year

),

sectors as (

    select
        sector_codes.sector_id,
        sector_codes.sector_name,
        shares.trade_year,
        count(*) as n_hs6_codes,
        sum(shares.china_exports_usd) as china_exports_usd,
        sum(shares.world_exports_usd) as world_exports_usd,
        sum(case when shares.china_world_export_share > {{ dominance }} then 1 else 0 end)
            as n_hs6_dominant,
        {{ combined_origin('shares.origin') }} as origin
    from sector_codes
    inner join shares on sector_codes.hs6 = shares.hs6
    group by sector_codes.sector_id, sector_codes.sector_name, shares.trade_year

)

select
    sectors.sector_id,
    sectors.sector_name,
    sectors.trade_year,
    sectors.n_hs6_codes,
    sectors.china_exports_usd,
    sectors.world_exports_usd,
    sectors.china_exports_usd / sectors.world_exports_usd as china_world_export_share,
    manufactured.manufactured_china_share,
    sectors.n_hs6_dominant,
    1.0 * sectors.n_hs6_dominant / sectors.n_hs6_codes as dominance_share,
    sectors.origin
from sectors
left join manufactured on sectors.trade_year = manufactured.trade_year
