select
    batches.hs8,
    batches.description,
    batches.group_id,
    groups.group_name,
    batches.batch,
    batches.batch_name,
    batches.tech_no,
    batches.valid_from,
    nullif(batches.valid_to, '9999-12') as valid_to,
    batches.reason,
    batches.provenance
from {{ ref('stg_reference__tech_batches') }} as batches
left join {{ ref('dim_tech_group') }} as groups on batches.group_id = groups.group_id
