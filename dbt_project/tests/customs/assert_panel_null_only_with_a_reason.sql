{#- The technology panel is null only with a reason (month not loaded, codes not
    downloaded), and never null-reasoned with a value: a gap is never a zero. -#}
select
    batch,
    group_id,
    period_month,
    imports_usd,
    null_reason
from {{ ref('fct_tech_group_monthly') }}
where (imports_usd is null) <> (null_reason is not null)
