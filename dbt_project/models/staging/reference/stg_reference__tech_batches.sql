select
    cast(batch as integer) as batch,
    batch_name,
    hs8,
    substr(hs8, 1, 6) as hs6,
    description,
    cast(group_id as integer) as group_id,
    cast(tech_no as integer) as tech_no,
    valid_from,
    coalesce(valid_to, '9999-12') as valid_to,
    continues,
    reason,
    provenance,
    source_file,
    cast(source_line as integer) as source_line
from {{ source('reference', 'tech_batches') }}
