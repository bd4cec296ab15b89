-- Each HS6 code's allocation over BEC classes sums to 1 in every revision.
select
    hs_revision,
    hs6,
    sum(weight) as total
from {{ ref('int_hs6_sna_allocation') }}
group by hs_revision, hs6
having abs(sum(weight) - 1) > 1e-9
