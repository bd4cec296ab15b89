-- The HS6 codes that count in each Made in China 2025 sector's trade metrics, in every HS
-- revision: the sector map lists HS2017 codes; a code of another revision belongs to the
-- sector when its UNSD conversion (one target, corrected) is one of them. Each year's data
-- is then selected in the revision it was reported in, so sector totals need no value
-- conversion. Rows the sector map marks "INDICATIVE ONLY" (new materials, which seed 002
-- rates n/a) stay in the map for reference but are left out here, so the sector reports
-- n/a as the study does.
with sector_hs2017 as (

    select distinct
        cast(sector_id as string) as sector_id,
        sector_name,
        hs6
    from {{ ref('ref_mic25_sectors') }}
    where
        hs6 is not null
        and reason not like 'INDICATIVE ONLY%'

)

select
    sector_hs2017.sector_id,
    sector_hs2017.sector_name,
    concordance.hs_revision,
    concordance.hs6,
    sector_hs2017.hs6 as hs6_hs2017,
    concordance.hs_conversion
from sector_hs2017
inner join {{ ref('stg_reference__hs_concordance') }} as concordance
    on sector_hs2017.hs6 = concordance.hs6_hs2017
