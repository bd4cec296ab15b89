-- The code lists are there: with no list every batch code would pass the check above.
select count(*) as n_codes
from {{ ref('stg_reference__gacc_hs8_codes') }}
having count(*) = 0
