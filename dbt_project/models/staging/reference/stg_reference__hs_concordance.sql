-- Every HS6 code of HS2012, HS2017 and HS2022 mapped to the canonical revision, HS2017,
-- through the UNSD correspondence tables (the consolidated file keeps the codes that a
-- revision deleted or split, which the pairwise tables drop).
with steps as (

    select
        {{ dbt.right(dbt.concat(["'000000'", "code_after"]), 6) }} as code_after,
        {{ dbt.right(dbt.concat(["'000000'", "code_before"]), 6) }} as code_before,
        adjustment
    from {{ source('reference', 'hs_concordance_consolidated') }}
    where adjustment in ('2017 to 2012', '2022 to 2017')

),

unioned as (

    select distinct
        'HS2012' as hs_revision,
        code_before as hs6,
        code_after as hs6_hs2017
    from steps
    where adjustment = '2017 to 2012'
    union all
    select distinct
        'HS2017',
        hs6,
        hs6 as hs6_hs2017
    from (
        select code_after as hs6 from steps
        where adjustment = '2017 to 2012'
        union
        select code_before from steps
        where adjustment = '2022 to 2017'
    ) as hs2017
    union all
    select distinct
        'HS2022',
        code_after,
        code_before
    from steps
    where adjustment = '2022 to 2017'

)

select
    hs_revision,
    hs6,
    hs6_hs2017,
    count(*) over (partition by hs_revision, hs6) as n_targets
from unioned
