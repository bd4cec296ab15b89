-- Every technology group (docs/method.md section 2.1) has at least one code in some batch, and every
-- group of batch 1 (the 16 groups of the 2018 list) has a code in batch 1.
select
    g.group_id,
    g.group_name
from {{ ref('dim_tech_group') }} as g
left join {{ ref('stg_reference__tech_batches') }} as b on g.group_id = b.group_id
where b.group_id is null
