-- The matrix of seed 000: growth (high, low) by volatility tier, with the groups in each
-- cell, per batch.
with patterns as (

    select * from {{ ref('ind_group_patterns') }}
    where pattern != 'undefined'

)

select
    batch,
    growth_class,
    volatility_tier,
    min(pattern) as pattern,
    count(*) as n_groups,
    {{ sorted_list_agg('group_name', "'; '") }} as groups,
    {{ combined_origin('origin') }} as origin
from patterns
group by batch, growth_class, volatility_tier
