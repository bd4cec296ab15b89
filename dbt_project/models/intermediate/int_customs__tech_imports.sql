-- Customs imports of the codes each batch lists, in the months the code is valid (one
-- total per code and month, from one grain).
with imports as (

    select
        period_month,
        hs8,
        origin,
        value_usd
    from {{ ref('int_customs__code_totals') }}
    where flow = 'import'

),

codes as (

    select * from {{ ref('stg_reference__tech_batches') }}

)

select
    codes.batch,
    codes.batch_name,
    codes.group_id,
    imports.period_month,
    imports.hs8,
    imports.origin,
    imports.value_usd
from imports
inner join codes
    on
        imports.hs8 = codes.hs8
        and imports.period_month >= codes.valid_from
        and imports.period_month <= codes.valid_to
