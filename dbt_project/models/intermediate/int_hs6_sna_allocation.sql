-- HS6 -> SNA class (capital, intermediate, consumption, unassigned) per HS revision, with
-- an allocation weight so each code's weights sum to 1.
--
-- Allocation rule for n:n rows (documented in _intermediate__models.yml, unit-tested):
-- 1. BEC classes follow the concordance, never the code number: an n:n code takes the
--    single BEC class of the code it converts to in the nearest older revision that has
--    one (HS2022 -> HS2017 by the corrected UNSD conversion, HS2017 -> HS2012 by the UNSD
--    conversion). Integrated circuits 8542xx are n:n in HS2017/HS2022 but BEC 42 alone in
--    HS2012, so they stay intermediate; HS2022 854151/854159, successors of 854150
--    (BEC 42 in HS2012 and HS2017), stay intermediate too.
-- 2. A code with no such predecessor is a dual-use good in UNSD's table (cameras 852580 in
--    BEC 41 and 61, say): its value is shared equally over its BEC codes, the shares
--    summed per SNA class; allocation_rule says so on every such row.
with bec as (

    select * from {{ ref('stg_reference__hs_bec') }}

),

sna_of_bec as (

    select
        bec4,
        sna_class
    from {{ ref('ref_bec_sna') }}

),

single_class as (

    select
        hs_revision,
        hs6,
        min(bec4) as bec4
    from bec
    where relationship = 'n:1'
    group by hs_revision, hs6

),

older as (

    -- each code's image in the next older revision, by the one-target conversions
    select
        'HS2022' as hs_revision,
        hs6,
        'HS2017' as older_revision,
        hs6_hs2017 as older_hs6
    from {{ ref('stg_reference__hs_concordance') }}
    where hs_revision = 'HS2022'
    union all
    select
        'HS2017',
        hs5_6d,
        'HS2012',
        hs4_6d
    from {{ source('reference', 'hs2017_to_hs2012') }}

),

carried as (

    -- the single class of the nearest older revision along the conversion chain
    select
        step1.hs_revision,
        step1.hs6,
        coalesce(class1.bec4, class2.bec4) as bec4,
        case
            when class1.bec4 is not null
                then {{ dbt.concat(["'carried from '", "step1.older_revision", "' '", "step1.older_hs6", "' n:1'"]) }}
            else {{ dbt.concat(["'carried from '", "step2.older_revision", "' '", "step2.older_hs6", "' n:1'"]) }}
        end as allocation_rule
    from older as step1
    left join single_class as class1
        on step1.older_revision = class1.hs_revision and step1.older_hs6 = class1.hs6
    left join older as step2
        on step1.older_revision = step2.hs_revision and step1.older_hs6 = step2.hs6
    left join single_class as class2
        on step2.older_revision = class2.hs_revision and step2.older_hs6 = class2.hs6
    where coalesce(class1.bec4, class2.bec4) is not null

),

resolved as (

    select
        bec.hs_revision,
        bec.hs6,
        case
            when bec.relationship = 'n:n' and carried.bec4 is not null then carried.bec4
            else bec.bec4
        end as bec4,
        case
            when bec.relationship = 'n:n' and carried.bec4 is not null
                then carried.allocation_rule
            when bec.relationship = 'n:n' then 'dual use: equal split over BEC codes'
            else 'n:1'
        end as allocation_rule
    from bec
    left join carried on bec.hs_revision = carried.hs_revision and bec.hs6 = carried.hs6

),

deduplicated as (

    select distinct
        hs_revision,
        hs6,
        bec4,
        allocation_rule
    from resolved

),

weighted as (

    select
        hs_revision,
        hs6,
        bec4,
        allocation_rule,
        1.0 / count(*) over (partition by hs_revision, hs6) as bec_weight
    from deduplicated

)

select
    weighted.hs_revision,
    weighted.hs6,
    weighted.bec4,
    coalesce(sna_of_bec.sna_class, 'unassigned') as sna_class,
    weighted.allocation_rule,
    weighted.bec_weight as weight
from weighted
left join sna_of_bec on weighted.bec4 = sna_of_bec.bec4
