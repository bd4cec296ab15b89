select
    cast(group_id as integer) as group_id,
    group_name,
    category,
    cast(is_semiconductor as boolean) as is_semiconductor,
    output_category,
    provenance
from {{ ref('ref_tech_groups') }}
