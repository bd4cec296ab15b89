select
    iso3,
    cast(oecd_accession_year as integer) as accession_year,
    cast(comtrade_reporter_code as integer) as comtrade_code,
    name
from {{ source('reference', 'oecd_members') }}
