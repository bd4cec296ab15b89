-- A code appears once per batch and validity period: two rows of one batch with the
-- same code and overlapping months would count its imports twice.
{{ config(store_failures=true) }}

with batches as (

    select * from {{ ref('stg_reference__tech_batches') }}

)

select
    a.batch,
    a.hs8,
    a.source_file,
    a.source_line,
    a.valid_from,
    a.valid_to,
    b.source_file as other_file,
    b.source_line as other_line,
    b.valid_from as other_valid_from,
    b.valid_to as other_valid_to
from batches as a
inner join batches as b
    on
        a.batch = b.batch
        and a.hs8 = b.hs8
        and (
            a.source_file < b.source_file
            or (a.source_file = b.source_file and a.source_line < b.source_line)
        )
        and a.valid_from <= b.valid_to
        and a.valid_to >= b.valid_from
