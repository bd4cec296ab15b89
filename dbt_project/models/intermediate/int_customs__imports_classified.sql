-- Customs imports with their SNA class (through BEC, in the HS revision in force that
-- year) and the technology groups of every batch that lists the code that month.
{%- set intermediate_set = setting('intermediate_bec_set', 'sna') %}
with imports as (

    -- one grain per code and month (never the same trade twice)
    select * from {{ ref('int_customs__code_totals') }}
    where flow = 'import'

),

allocation as (

    select * from {{ ref('int_hs6_sna_allocation') }}

),

by_code as (

    select
        imports.period_month,
        imports.trade_year,
        imports.hs8,
        imports.hs6,
        imports.origin,
        {{ hs_revision_of_year('imports.trade_year') }} as hs_revision,
        sum(imports.value_usd) as value_usd
    from imports
    group by 1, 2, 3, 4, 5, 6

)

select
    by_code.period_month,
    by_code.trade_year,
    by_code.hs8,
    by_code.hs6,
    by_code.hs_revision,
    by_code.origin,
    coalesce(allocation.bec4, 'none') as bec4,
    case
        when allocation.sna_class is null then 'unassigned'  -- noqa: ST02
        {%- if intermediate_set == 'manufactured' %}
        -- "manufactured intermediates" variant: only BEC 22, 42 and 53 count
        when allocation.sna_class = 'intermediate' and allocation.bec4 not in ('22', '42', '53')
            then 'unassigned'
        {%- endif %}
        else allocation.sna_class
    end as sna_class,
    allocation.sna_class is null as is_unmapped,
    by_code.value_usd * coalesce(allocation.weight, 1.0) as value_usd
from by_code
left join allocation
    on
        by_code.hs_revision = allocation.hs_revision
        and by_code.hs6 = allocation.hs6
