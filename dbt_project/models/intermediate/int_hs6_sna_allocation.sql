-- HS6 -> SNA class (capital, intermediate, consumption, unassigned) per HS revision, with
-- an allocation weight so each code's weights sum to 1.
--
-- Allocation rule for n:n rows (documented in _intermediate__models.yml, unit-tested):
-- 1. if the same HS6 code has a single BEC class in an older revision's table, that class
--    carries forward (integrated circuits 8542xx are n:n in HS2017/HS2022 but BEC 42
--    alone in HS2012, so they stay intermediate goods throughout);
-- 2. otherwise the code is split equally over its BEC codes, and the shares are summed
--    per SNA class.
with bec as (

    select * from {{ ref('stg_reference__hs_bec') }}

),

sna_of_bec as (

    select
        bec4,
        sna_class
    from {{ ref('ref_bec_sna') }}

),

single_older as (

    -- the n:1 assignment of each code in the oldest revision that has one
    select
        hs6,
        min(bec4) as bec4
    from bec
    where
        relationship = 'n:1'
        and hs_revision = 'HS2012'
    group by hs6

),

resolved as (

    select
        bec.hs_revision,
        bec.hs6,
        case
            when bec.relationship = 'n:n' and single_older.bec4 is not null
                then single_older.bec4
            else bec.bec4
        end as bec4,
        case
            when bec.relationship = 'n:n' and single_older.bec4 is not null
                then 'carried from HS2012 n:1'
            when bec.relationship = 'n:n' then 'equal split'
            else 'n:1'
        end as allocation_rule
    from bec
    left join single_older on bec.hs6 = single_older.hs6

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
