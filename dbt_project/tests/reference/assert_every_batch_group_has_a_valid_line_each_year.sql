-- Each group's series is continuous: in every list year from the group's first year in
-- a batch, at least one of its codes in that batch is valid and is a line of that year's
-- list. Returns the batch, group and year with none.
{{ config(store_failures=true) }}

with batches as (

    select
        batch,
        group_id,
        hs8,
        cast(substr(valid_from, 1, 4) as integer) as from_year,
        cast(substr(valid_to, 1, 4) as integer) as to_year
    from {{ ref('stg_reference__tech_batches') }}

),

codes as (

    select
        hs8,
        list_year
    from {{ ref('stg_reference__gacc_hs8_codes') }}

),

groups_years as (

    select
        g.batch,
        g.group_id,
        y.list_year
    from (
        select
            batch,
            group_id,
            min(from_year) as first_year
        from batches
        group by batch, group_id
    ) as g
    inner join (select distinct list_year from codes) as y
        on g.first_year <= y.list_year

),

valid as (

    select distinct
        batches.batch,
        batches.group_id,
        codes.list_year
    from batches
    inner join codes
        on
            batches.hs8 = codes.hs8
            and codes.list_year between batches.from_year and batches.to_year

)

select
    groups_years.batch,
    groups_years.group_id,
    groups_years.list_year
from groups_years
left join valid
    on
        groups_years.batch = valid.batch
        and groups_years.group_id = valid.group_id
        and groups_years.list_year = valid.list_year
where valid.batch is null
