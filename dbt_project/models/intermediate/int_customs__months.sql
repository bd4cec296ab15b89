-- Every month from the first to the last month of the customs data, for both flows: the
-- spine on which coverage and the panel show a month nothing was loaded for, instead of
-- dropping it.
with bounds as (

    select
        min({{ month_index('period_month') }}) as first_idx,
        max({{ month_index('period_month') }}) as last_idx
    from {{ ref('stg_customs__monthly_trade') }}

),

digits as (

    select 0 as d
    union all
    select 1
    union all
    select 2
    union all
    select 3
    union all
    select 4
    union all
    select 5
    union all
    select 6
    union all
    select 7
    union all
    select 8
    union all
    select 9

),

offsets as (

    select ones.d + 10 * tens.d + 100 * hundreds.d + 1000 * thousands.d as n
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands

),

indices as (

    select bounds.first_idx + offsets.n as idx
    from bounds
    inner join offsets on bounds.first_idx + offsets.n <= bounds.last_idx

),

flows as (

    select 'import' as flow
    union all
    select 'export' as flow

)

select
    flows.flow,
    {{ dbt.concat([
        "cast(cast(floor(indices.idx / 12) as integer) as string)",
        "'-'",
        "lpad(cast(cast(indices.idx % 12 + 1 as integer) as string), 2, '0')",
    ]) }} as period_month,
    cast(floor(indices.idx / 12) as integer) as trade_year,
    indices.idx as month_idx
from indices
cross join flows
