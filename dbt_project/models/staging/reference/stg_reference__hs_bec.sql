{%- set tables = [('HS2012', 'hs_bec_2012'), ('HS2017', 'hs_bec_2017'), ('HS2022', 'hs_bec_2022')] -%}
{%- for revision, table in tables %}
    select
        '{{ revision }}' as hs_revision,
        hs6,
        bec4,
        -- The UNSD files spell the relationship 'n:1' or 'n to 1'.
        replace(relationship, ' to ', ':') as relationship
    from {{ source('reference', table) }}
    where hs6 is not null
    {% if not loop.last %}union all{% endif %}
{%- endfor %}
