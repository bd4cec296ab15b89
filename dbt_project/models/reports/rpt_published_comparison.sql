-- Our figures beside the published ones (METHOD.md section 4), with the difference.
-- Every row carries the origin of our inputs: a synthetic figure is never comparable
-- with a published one, and the comparability column says so.
with ours as (

    {%- set gdp = [
        ('gdp_share_capital_ex_semi', 'adj_capital_share_of_gdp'),
        ('gdp_share_intermediate_ex_semi', 'adj_intermediate_share_of_gdp'),
        ('gdp_share_capital_intermediate_ex_semi', 'adj_capital_plus_intermediate_share_of_gdp'),
    ] %}
    {%- for indicator, column in gdp %}
        select
            'seed_000' as study,
            '{{ indicator }}' as indicator,
            'all' as subject,
            trade_year as figure_year,
            100 * {{ column }} as our_value,
            cast(null as string) as our_text,
            origin
        from {{ ref('ind_gdp_shares') }}
        where is_full_year
        union all
    {%- endfor %}
    select
        'seed_000',
        'export_growth',
        'all',
        trade_year,
        100 * export_growth,
        null,
        origin
    from {{ ref('ind_trade_growth') }}
    union all
    select
        'seed_000',
        'import_growth',
        'all',
        trade_year,
        100 * import_growth,
        null,
        origin
    from {{ ref('ind_trade_growth') }}
    union all
    select
        'seed_000',
        'pattern_cell',
        group_name,
        cast(substr(window_end, 1, 4) as integer),
        null,
        {{ dbt.concat(["growth_class", "' growth / '", "volatility_tier", "' volatility'"]) }},
        origin
    from {{ ref('ind_group_patterns') }}
    where batch = 1
    union all
    select
        'seed_002',
        'import_dependence_share',
        sector_name,
        trade_year,
        100 * dependent_share,
        null,
        origin
    from {{ ref('ind_mic25_import_dependence') }}
    union all
    select
        'seed_002',
        'import_dependence_rating',
        sector_name,
        trade_year,
        null,
        import_dependence_rating,
        origin
    from {{ ref('ind_mic25_scorecard') }}
    union all
    select
        'seed_002',
        'competitiveness_rating',
        sector_name,
        trade_year,
        null,
        competitiveness_rating,
        origin
    from {{ ref('ind_mic25_scorecard') }}
    union all
    select
        'seed_002',
        'world_export_share',
        sector_name,
        trade_year,
        100 * china_world_export_share,
        null,
        origin
    from {{ ref('ind_mic25_export_share') }}
    union all
    select distinct
        'seed_002',
        'world_export_share',
        'all manufactured goods',
        trade_year,
        100 * manufactured_china_share,
        null,
        origin
    from {{ ref('ind_mic25_export_share') }}
    union all
    select
        'seed_002',
        'dominance_share',
        sector_name,
        trade_year,
        100 * dominance_share,
        null,
        origin
    from {{ ref('ind_mic25_export_share') }}
    union all
    select
        'seed_002',
        'hs4_import_export_ratio',
        hs4,
        trade_year,
        import_export_ratio,
        null,
        origin
    from {{ ref('ind_hs4_vulnerability') }}
    union all
    select
        'seed_002',
        'hs4_oecd_import_share',
        hs4,
        trade_year,
        100 * oecd_import_share,
        null,
        origin
    from {{ ref('ind_hs4_vulnerability') }}
    union all
    select
        'seed_002',
        'hs4_import_change',
        hs4,
        trade_year,
        100 * import_change_since_start,
        null,
        origin
    from {{ ref('ind_hs4_vulnerability') }}

),

published as (

    select
        study,
        indicator,
        subject,
        cast(nullif(cast(year as string), '') as integer) as figure_year,
        cast(value as string) as published_value,
        unit,
        note
    from {{ ref('ref_published_figures') }}

)

select
    published.study,
    published.indicator,
    published.subject,
    published.figure_year,
    published.published_value,
    published.unit,
    ours.our_value,
    ours.our_text,
    ours.our_value - {{ to_number_or_null('published.published_value') }}
        as difference,
    coalesce(ours.origin, 'none') as our_origin,
    case
        when ours.origin is null then 'not computed by the pipeline for this subject/year'
        when ours.origin = 'real' then 'comparable (real inputs; sources may differ)'
        else 'NOT COMPARABLE: our inputs are synthetic'
    end as comparability,
    published.note
from published
left join ours
    on
        published.study = ours.study
        and published.indicator = ours.indicator
        and lower(published.subject) = lower(ours.subject)
        and published.figure_year = ours.figure_year
