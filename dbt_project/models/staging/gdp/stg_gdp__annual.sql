select
    cast(year as integer) as gdp_year,
    iso3,
    cast(gdp_usd as double) as gdp_usd,
    source as gdp_source,
    cast(vintage as string) as gdp_vintage
from {{ source('gdp', 'gdp_annual') }}
