-- Every HS6 of HS2012, HS2017 and HS2022 (as listed in the UNSD BEC tables) reaches the
-- canonical revision through the concordance and has an SNA class.
with codes as (
    select distinct
        hs_revision,
        hs6
    from {{ ref('stg_reference__hs_bec') }}
)

select
    codes.hs_revision,
    codes.hs6,
    max(case when conc.hs6 is null then 1 else 0 end) as no_hs2017,
    max(case when alloc.hs6 is null then 1 else 0 end) as no_sna_class
from codes
left join {{ ref('stg_reference__hs_concordance') }} as conc
    on codes.hs_revision = conc.hs_revision and codes.hs6 = conc.hs6
left join {{ ref('int_hs6_sna_allocation') }} as alloc
    on codes.hs_revision = alloc.hs_revision and codes.hs6 = alloc.hs6
group by codes.hs_revision, codes.hs6
having
    max(case when conc.hs6 is null then 1 else 0 end) = 1
    or max(case when alloc.hs6 is null then 1 else 0 end) = 1
