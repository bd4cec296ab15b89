-- What the portal queries asked for, from the manifests: a code asked for and absent
-- from the file had no trade that month, rather than not being downloaded.
select
    period_month,
    flow,
    grain,
    code_prefix,
    source_file,
    file_sha256,
    loaded_at
from {{ source('customs', 'customs_declared_coverage') }}
