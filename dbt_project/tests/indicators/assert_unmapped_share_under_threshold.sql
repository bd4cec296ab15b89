{#- Import value with no SNA class stays under CHOKEPOINT_MAX_UNMAPPED_SHARE (0.05) of
    imports each year. A warning: the share is reported beside every figure it affects. -#}
{{ config(severity='warn') }}

select
    trade_year,
    unmapped_share
from {{ ref('ind_gdp_shares') }}
where unmapped_share > {{ setting_number('max_unmapped_share', 0.05) }}
