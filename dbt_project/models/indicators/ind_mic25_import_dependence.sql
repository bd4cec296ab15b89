-- Per Made in China 2025 sector and year: the share of the sector's HS6 codes where
-- China imports more than twice what it exports (strictly; seed 002 L1211), and the
-- rating: strong below 10%, mixed 10-30%, weak above 30% (settings).
-- Each year is read in the revision China reported it in, with the sector's code list in
-- that revision (int_mic25_sector_codes): no value is converted. A sector-year whose
-- codes come from both real and synthetic files is marked mixed.
{%- set ratio = setting_number('dependence_ratio', 2) %}
{%- set strong_below = setting_number('dependence_strong_below', 0.10) %}
{%- set weak_above = setting_number('dependence_weak_above', 0.30) %}
with china as (

    select
        trade_year,
        hs_revision,
        hs6,
        sum(case when flow = 'import' then primary_value_usd else 0 end) as imports_usd,
        sum(case when flow = 'export' then primary_value_usd else 0 end) as exports_usd,
        {{ combined_origin('origin') }} as origin
    from {{ ref('stg_comtrade__annual_flows') }}
    where reporter_code = 156 and partner_code = 0 and hs6 != 'TOTAL'
    group by trade_year, hs_revision, hs6

),

sector_codes as (

    select * from {{ ref('int_mic25_sector_codes') }}

),

listed as (

    select
        sector_id,
        hs_revision,
        count(distinct hs6) as n_hs6_listed
    from sector_codes
    group by sector_id, hs_revision

),

codes as (

    select
        sector_codes.sector_id,
        sector_codes.sector_name,
        china.trade_year,
        china.hs_revision,
        china.hs6,
        china.imports_usd > {{ ratio }} * china.exports_usd as is_dependent,
        china.origin
    from china
    inner join sector_codes
        on china.hs_revision = sector_codes.hs_revision and china.hs6 = sector_codes.hs6
    where china.imports_usd > 0 or china.exports_usd > 0

),

sectors as (

    select
        sector_id,
        sector_name,
        trade_year,
        min(hs_revision) as hs_revision,
        count(*) as n_hs6_codes,
        sum(case when is_dependent then 1 else 0 end) as n_hs6_dependent,
        {{ combined_origin('origin') }} as origin
    from codes
    group by sector_id, sector_name, trade_year

)

select
    sectors.sector_id,
    sectors.sector_name,
    sectors.trade_year,
    sectors.hs_revision,
    listed.n_hs6_listed,
    sectors.n_hs6_codes,
    sectors.n_hs6_dependent,
    1.0 * sectors.n_hs6_dependent / sectors.n_hs6_codes as dependent_share,
    case
        when 1.0 * sectors.n_hs6_dependent / sectors.n_hs6_codes < {{ strong_below }}
            then 'strong'
        when 1.0 * sectors.n_hs6_dependent / sectors.n_hs6_codes > {{ weak_above }}
            then 'weak'
        else 'mixed'
    end as import_dependence_rating,
    'none (codes selected in the revision reported)' as hs_conversion,
    sectors.origin
from sectors
left join listed
    on sectors.sector_id = listed.sector_id and sectors.hs_revision = listed.hs_revision
