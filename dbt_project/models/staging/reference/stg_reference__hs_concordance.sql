-- Every HS6 code of HS2002 to HS2022 with ONE HS2017 code (the canonical revision): the
-- UNSD conversion, never a split by a count.
--   HS2022 -> HS2017: the UNSD conversion table, with the corrections of
--     ref_hs_conversion_corrections (each with its reason).
--   HS2012 -> HS2017: UNSD publishes only HS2017 -> HS2012, so its inverse: the HS2017
--     code with the same number when it converts back; else the only one; else, when a
--     code split, the residual successor (the last subheading of the same heading, where
--     the HS puts "other"). Codes no HS2017 code converts to follow the correlation table.
--   HS2007 -> HS2012 and HS2002 -> HS2007 (reporters still on old revisions): the
--     correlation table by the same rule, then on to HS2017.
-- n_correlated counts the HS2017 codes the UNSD correlation table links the code to;
-- more than one means part of its content moved (see ind_hs_revision_breaks).
with steps as (

    select
        {{ dbt.right(dbt.concat(["'000000'", "code_after"]), 6) }} as code_after,
        {{ dbt.right(dbt.concat(["'000000'", "code_before"]), 6) }} as code_before,
        adjustment
    from {{ source('reference', 'hs_concordance_consolidated') }}

),

corrections as (

    select
        from_revision,
        hs6,
        hs6_target
    from {{ ref('ref_hs_conversion_corrections') }}
    where to_revision = 'HS2017'

),

conv_2022 as (

    select
        conv.hs6_6d as hs6,
        coalesce(corrections.hs6_target, conv.hs5_6d) as hs6_hs2017,
        case
            when corrections.hs6 is not null then 'unsd corrected'
            when conv.hs6_6d = conv.hs5_6d then 'same code'
            else 'unsd'
        end as hs_conversion
    from {{ source('reference', 'hs2022_to_hs2017') }} as conv
    left join corrections
        on corrections.from_revision = 'HS2022' and conv.hs6_6d = corrections.hs6

),

-- candidates of an older code among the newer codes, ranked by the rule above
inverse_2012 as (

    select
        hs4_6d as hs6,
        hs5_6d as hs6_next,
        count(*) over (partition by hs4_6d) as n_candidates,
        row_number() over (
            partition by hs4_6d
            order by
                case when hs5_6d = hs4_6d then 0 else 1 end,
                case when substr(hs5_6d, 1, 4) = substr(hs4_6d, 1, 4) then 0 else 1 end,
                hs5_6d desc
        ) as rank_in_rule
    from {{ source('reference', 'hs2017_to_hs2012') }}

),

{%- set correlation_steps = [
    ('corr_2012', '2017 to 2012'),
    ('corr_2007', '2012 to 2007'),
    ('corr_2002', '2007 to 2002'),
] %}
{%- for name, adjustment in correlation_steps %}

    {{ name }} as (

        select
            code_before as hs6,
            code_after as hs6_next,
            count(*) over (partition by code_before) as n_candidates,
            row_number() over (
                partition by code_before
                order by
                    case when code_after = code_before then 0 else 1 end,
                    case when substr(code_after, 1, 4) = substr(code_before, 1, 4) then 0 else 1 end,
                    code_after desc
            ) as rank_in_rule
        from (
            select distinct
                code_before,
                code_after
            from steps
            where adjustment = '{{ adjustment }}'
        ) as pairs

    ),
{%- endfor %}

conv_2012_raw as (

    select
        hs6,
        hs6_next as hs6_hs2017,
        case
            when hs6_next = hs6 then 'same code'
            when n_candidates = 1 then 'unsd inverse'
            else 'unsd inverse (residual successor)'
        end as hs_conversion
    from inverse_2012
    where rank_in_rule = 1
    union all
    select
        hs6,
        hs6_next,
        case
            when hs6_next = hs6 then 'same code'
            when n_candidates = 1 then 'unsd correlation'
            else 'unsd correlation (residual successor)'
        end
    from corr_2012
    where
        rank_in_rule = 1
        and hs6 not in (
            select conv.hs4_6d from {{ source('reference', 'hs2017_to_hs2012') }} as conv
        )

),

conv_2012 as (

    select
        conv.hs6,
        coalesce(corrections.hs6_target, conv.hs6_hs2017) as hs6_hs2017,
        case
            when corrections.hs6 is not null then 'unsd corrected' else conv.hs_conversion
        end as hs_conversion
    from conv_2012_raw as conv
    left join corrections
        on corrections.from_revision = 'HS2012' and conv.hs6 = corrections.hs6

),

conv_2007 as (

    select
        corr_2007.hs6,
        conv_2012.hs6_hs2017,
        'unsd correlation via HS2012' as hs_conversion
    from corr_2007
    inner join conv_2012 on corr_2007.hs6_next = conv_2012.hs6
    where corr_2007.rank_in_rule = 1

),

conv_2002 as (

    select
        corr_2002.hs6,
        conv_2007.hs6_hs2017,
        'unsd correlation via HS2007 and HS2012' as hs_conversion
    from corr_2002
    inner join conv_2007 on corr_2002.hs6_next = conv_2007.hs6
    where corr_2002.rank_in_rule = 1

),

hs2017_codes as (

    select hs5_6d as hs6 from {{ source('reference', 'hs2017_to_hs2012') }}
    union
    select code_before from steps
    where adjustment = '2022 to 2017'

),

converted as (

    select
        'HS2022' as hs_revision,
        hs6,
        hs6_hs2017,
        hs_conversion
    from conv_2022
    union all
    select
        'HS2017',
        hs6,
        hs6 as hs6_hs2017,
        'none'
    from hs2017_codes
    union all
    select
        'HS2012',
        hs6,
        hs6_hs2017,
        hs_conversion
    from conv_2012
    union all
    select
        'HS2007',
        hs6,
        hs6_hs2017,
        hs_conversion
    from conv_2007
    union all
    select
        'HS2002',
        hs6,
        hs6_hs2017,
        hs_conversion
    from conv_2002

),

correlated as (

    select
        'HS2022' as hs_revision,
        code_after as hs6,
        count(distinct code_before) as n_correlated
    from steps
    where adjustment = '2022 to 2017'
    group by code_after
    union all
    select
        'HS2012',
        code_before,
        count(distinct code_after)
    from steps
    where adjustment = '2017 to 2012'
    group by code_before

)

select
    converted.hs_revision,
    converted.hs6,
    converted.hs6_hs2017,
    converted.hs_conversion,
    coalesce(correlated.n_correlated, 1) as n_correlated
from converted
left join correlated
    on converted.hs_revision = correlated.hs_revision and converted.hs6 = correlated.hs6
