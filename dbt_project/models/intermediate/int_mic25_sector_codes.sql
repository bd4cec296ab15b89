-- The HS6 codes that count in each Made in China 2025 sector's trade metrics. Rows the
-- sector map marks "INDICATIVE ONLY" (new materials, which seed 002 rates n/a) stay in
-- the map for reference but are left out here, so the sector reports n/a as the study does.
select distinct
    cast(sector_id as string) as sector_id,
    sector_name,
    hs6
from {{ ref('ref_mic25_sectors') }}
where
    hs6 is not null
    and reason not like 'INDICATIVE ONLY%'
