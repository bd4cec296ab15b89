-- China Customs' 8-digit national lines, one row per code and list year, with the years
-- each list is in force: from its year to the year before the next list. The newest list
-- stays in force until a newer one is added (data/reference/README.md: adding a year),
-- and the oldest also stands for the years before it.
with codes as (

    select * from {{ source('reference', 'gacc_hs8_codes') }}

),

list_years as (

    select
        list_year,
        lead(list_year) over (order by list_year) as next_list_year,
        min(list_year) over () as first_list_year
    from (select distinct list_year from codes) as years

)

select
    codes.hs8,
    substr(codes.hs8, 1, 6) as hs6,
    cast(codes.list_year as integer) as list_year,
    cast(case
        when list_years.list_year = list_years.first_list_year then 0
        else list_years.list_year
    end as integer) as in_force_from_year,
    cast(coalesce(list_years.next_list_year - 1, 9999) as integer) as in_force_to_year,
    codes.description_en,
    codes.description_zh,
    codes.unit1_code,
    codes.unit1_name_en,
    codes.unit1_name_zh,
    codes.unit2_code,
    codes.unit2_name_en,
    codes.unit2_name_zh,
    codes.source_files
from codes
inner join list_years on codes.list_year = list_years.list_year
