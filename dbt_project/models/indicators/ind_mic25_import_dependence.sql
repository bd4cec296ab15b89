-- Per Made in China 2025 sector and year: the share of the sector's HS6 codes where
-- China imports more than twice what it exports (strictly; seed 002 L1211), and the
-- rating: strong below 10%, mixed 10-30%, weak above 30% (settings).
{%- set ratio = setting_number('dependence_ratio', 2) %}
{%- set strong_below = setting_number('dependence_strong_below', 0.10) %}
{%- set weak_above = setting_number('dependence_weak_above', 0.30) %}
with sector_codes as (

    select
        sector_id,
        sector_name,
        hs6
    from {{ ref('int_mic25_sector_codes') }}

),

codes as (

    select
        sector_codes.sector_id,
        sector_codes.sector_name,
        shares.trade_year,
        shares.hs6,
        shares.china_imports_usd > {{ ratio }} * shares.china_exports_usd as is_dependent,
        shares.origin
    from sector_codes
    inner join {{ ref('ind_hs6_world_share') }} as shares on sector_codes.hs6 = shares.hs6
    where shares.china_imports_usd > 0 or shares.china_exports_usd > 0

),

sectors as (

    select
        sector_id,
        sector_name,
        trade_year,
        count(*) as n_hs6_codes,
        sum(case when is_dependent then 1 else 0 end) as n_hs6_dependent,
        {{ combined_origin('origin') }} as origin
    from codes
    group by sector_id, sector_name, trade_year

)

select
    sector_id,
    sector_name,
    trade_year,
    n_hs6_codes,
    n_hs6_dependent,
    1.0 * n_hs6_dependent / n_hs6_codes as dependent_share,
    case
        when 1.0 * n_hs6_dependent / n_hs6_codes < {{ strong_below }} then 'strong'
        when 1.0 * n_hs6_dependent / n_hs6_codes > {{ weak_above }} then 'weak'
        else 'mixed'
    end as import_dependence_rating,
    origin
from sectors
