-- Every HS6 code of HS2012, HS2017 and HS2022 mapped to the canonical revision, HS2017,
-- so years reported in different revisions are compared through the UNSD tables.
with from_2012 as (

    select distinct 'HS2012' as hs_revision, hs4_6d as hs6, hs5_6d as hs6_hs2017
    from {{ source('reference', 'hs2017_to_hs2012') }}

),

from_2017 as (

    select distinct 'HS2017' as hs_revision, hs5_6d as hs6, hs5_6d as hs6_hs2017
    from {{ source('reference', 'hs2017_to_hs2012') }}

),

from_2022 as (

    select distinct 'HS2022' as hs_revision, hs6_6d as hs6, hs5_6d as hs6_hs2017
    from {{ source('reference', 'hs2022_to_hs2017') }}

),

unioned as (

    select * from from_2012
    union all
    select * from from_2017
    union all
    select * from from_2022

)

select
    hs_revision,
    hs6,
    hs6_hs2017,
    count(*) over (partition by hs_revision, hs6) as n_targets
from unioned
