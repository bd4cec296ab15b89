select
    month as period_month,
    cast(substr(month, 1, 4) as integer) as fx_year,
    cast(cny_per_usd as double) as cny_per_usd,
    'FRED H.10' as fx_source
from {{ source('fx', 'fx_monthly') }}
where country = 'China'
