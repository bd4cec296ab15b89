-- Customs imports of the codes each batch lists, in the months the code is valid.
with imports as (

    select
        period_month,
        hs8,
        origin,
        sum(value_usd) as value_usd
    from {{ ref('stg_customs__monthly_trade') }}
    where flow = 'import'
    group by 1, 2, 3

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
