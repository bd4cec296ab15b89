-- Every batch row names a line China Customs used in every year of its validity: each
-- year is checked against the list in force that year (years after the newest list
-- against the newest). One row per batch row and list that lacks the code.
{{ config(store_failures=true) }}

with batches as (

    select
        batch,
        source_file,
        source_line,
        group_id,
        hs8,
        valid_from,
        valid_to,
        cast(substr(valid_from, 1, 4) as integer) as from_year,
        cast(substr(valid_to, 1, 4) as integer) as to_year
    from {{ ref('stg_reference__tech_batches') }}

),

lists as (

    select distinct
        list_year,
        in_force_from_year,
        in_force_to_year
    from {{ ref('stg_reference__gacc_hs8_codes') }}

),

needed as (

    select
        batches.*,
        lists.list_year
    from batches
    inner join lists
        on
            batches.from_year <= lists.in_force_to_year
            and batches.to_year >= lists.in_force_from_year

)

select
    needed.batch,
    needed.source_file,
    needed.source_line,
    needed.group_id,
    needed.hs8,
    needed.valid_from,
    needed.valid_to,
    needed.list_year
from needed
left join {{ ref('stg_reference__gacc_hs8_codes') }} as codes
    on needed.hs8 = codes.hs8 and needed.list_year = codes.list_year
where codes.hs8 is null
