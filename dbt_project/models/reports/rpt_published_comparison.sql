-- Our figures beside every published one of docs/method.md section 4, on each study's own
-- window (seed 000: 2015-2024, so the patterns are recomputed on 2015-01..2024-12 whatever
-- the run's window; seed 002: the years it gives, 2015 and 2023), with the difference and
-- an agreement column (same rating or cell, or within the row's tolerance in the figure's
-- unit). Agreement is only ever stated on real inputs: a synthetic or mixed figure says
-- "not comparable", and a figure the pipeline does not compute says why.
-- Seed 002's world export shares and dominance come from ITC Trade Map, which fills the
-- reporters that have not reported with their partners' mirror data, so ours are the
-- *_with_mirror figures of ind_mic25_export_share; our_basis says so on each row.
{%- set seed_000_start, seed_000_end = 2015, 2024 %}
{%- set gdp = [
    ('gdp_share_capital_ex_semi', 'adj_capital_share_of_gdp', 100),
    ('gdp_share_intermediate_ex_semi', 'adj_intermediate_share_of_gdp', 100),
    ('gdp_share_capital_intermediate_ex_semi', 'adj_capital_plus_intermediate_share_of_gdp', 100),
    ('gdp_share_capital_rest', 'adj_capital_share_of_gdp', 100),
    ('gdp_share_intermediate_rest', 'adj_intermediate_share_of_gdp', 100),
    ('gdp_share_semi_capital', 'semi_capital_share_of_gdp', 100),
    ('gdp_share_semi_intermediate', 'semi_intermediate_share_of_gdp', 100),
    ('imports_semi_capital', 'semi_capital_usd', 1 / 12 / 1e9),
    ('imports_semi_intermediate', 'semi_intermediate_usd', 1 / 12 / 1e9),
] %}
with gdp_years as (

    select *
    from {{ ref('ind_gdp_shares') }}
    where
        is_full_year
        and trade_year between {{ seed_000_start }} and {{ seed_000_end }}

),

seed_000_patterns as (

    {{ volatility_growth(ref('ind_tech_group_series'), window_start=seed_000_start ~ '-01',
                         window_end=seed_000_end ~ '-12',
                         weights=setting('growth_weights', 'linear'),
                         base=setting('growth_base', 'first')) }}

),

pattern_origins as (

    select
        batch,
        group_id,
        {{ combined_origin('origin') }} as origin
    from {{ ref('fct_tech_group_monthly') }}
    where trade_year between {{ seed_000_start }} and {{ seed_000_end }}
    group by batch, group_id

),

group_patterns as (

    -- each group in the first batch that lists it (Medicaments is in batch 3), and only
    -- when the series covers the whole window
    select
        groups.group_name,
        {{ growth_class('p.g', setting_number('g_threshold', 0.5)) }} as growth_class,
        {{ volatility_tier('p.v', setting_number('v_high', 0.30), setting_number('v_low', 0.235)) }}
            as volatility_tier,
        {{ pattern('p.g', 'p.v', setting_number('g_threshold', 0.5), setting_number('v_high', 0.30)) }}
            as pattern,
        substr(p.first_period, 1, 4) = '{{ seed_000_start }}'
        and substr(p.last_period, 1, 4) = '{{ seed_000_end }}'
        and substr(p.last_period, 6, 2) in ('', '12') as covers_window,
        pattern_origins.origin,
        row_number() over (partition by p.group_id order by p.batch) as batch_rank
    from seed_000_patterns as p
    inner join {{ ref('dim_tech_group') }} as groups on p.group_id = groups.group_id
    left join pattern_origins
        on p.batch = pattern_origins.batch and p.group_id = pattern_origins.group_id

),

ours as (

    {%- for indicator, column, scale in gdp %}
        select
            'seed_000' as study,
            '{{ indicator }}' as indicator,
            'all' as subject,
            trade_year as figure_year,
            case
                when trade_year = {{ seed_000_start }} then 'start'
                when trade_year = {{ seed_000_end }} then 'end'
            end as compare_at,
            {{ scale }} * {{ column }} as our_value,
            cast(null as string) as our_text,
            origin
        from gdp_years
        union all
        select
            'seed_000',
            '{{ indicator }}',
            'all',
            cast(null as integer),
            'peak',
            max({{ scale }} * {{ column }}),
            null,
            {{ combined_origin('origin') }}
        from gdp_years
        having count(*) = {{ seed_000_end - seed_000_start + 1 }}
        union all
    {%- endfor %}
    {%- for indicator, column in [('reduction_capital_ex_semi', 'adj_capital_share_of_gdp'),
                                  ('reduction_intermediate_ex_semi', 'adj_intermediate_share_of_gdp')] %}
        select
            'seed_000',
            '{{ indicator }}',
            'all',
            e.trade_year,
            null,
            100 * (s.{{ column }} - e.{{ column }}) / s.{{ column }},
            null,
            case when s.origin = e.origin then s.origin else 'mixed' end
        from gdp_years as s
        inner join gdp_years as e
            on s.trade_year = {{ seed_000_start }} and e.trade_year = {{ seed_000_end }}
        union all
    {%- endfor %}
    {%- for indicator, column in [('export_growth', 'export_growth'), ('import_growth', 'import_growth')] %}
        select
            'seed_000',
            '{{ indicator }}',
            'all',
            trade_year,
            null,
            100 * {{ column }},
            null,
            origin
        from {{ ref('ind_trade_growth') }}
        where {{ column }} is not null
        union all
    {%- endfor %}
    select
        'seed_000',
        'pattern_cell',
        group_name,
        {{ seed_000_end }},
        null,
        null,
        {{ dbt.concat(["growth_class", "' growth / '", "volatility_tier", "' volatility'"]) }},
        origin
    from group_patterns
    where batch_rank = 1 and covers_window and pattern != 'undefined'
    union all
    select
        'seed_000',
        'pattern_label',
        group_name,
        {{ seed_000_end }},
        null,
        null,
        -- the study's wording of the first pattern
        replace(pattern, 'stockpiling or policy', 'stockpiling or other policy'),
        origin
    from group_patterns
    where batch_rank = 1 and covers_window and pattern != 'undefined'
    union all
    select
        'seed_002',
        'import_dependence_share',
        sector_name,
        trade_year,
        null,
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
        null,
        import_dependence_rating,
        origin
    from {{ ref('ind_mic25_scorecard') }}
    where import_dependence_rating != 'n/a'
    union all
    select
        'seed_002',
        'competitiveness_rating',
        sector_name,
        trade_year,
        null,
        null,
        competitiveness_rating,
        origin
    from {{ ref('ind_mic25_scorecard') }}
    where competitiveness_rating != 'n/a'
    union all
    select
        'seed_002',
        'world_export_share',
        sector_name,
        trade_year,
        null,
        100 * china_world_export_share_with_mirror,
        null,
        origin
    from {{ ref('ind_mic25_export_share') }}
    union all
    select distinct
        'seed_002',
        'world_export_share',
        'all manufactured goods',
        trade_year,
        null,
        100 * manufactured_china_share,
        null,
        origin
    from {{ ref('ind_mic25_export_share') }}
    where manufactured_china_share is not null
    union all
    select
        'seed_002',
        'dominance_share',
        sector_name,
        trade_year,
        null,
        100 * dominance_share_with_mirror,
        null,
        origin
    from {{ ref('ind_mic25_export_share') }}
    union all
    select
        'seed_002',
        'hs4_import_export_ratio',
        hs4,
        trade_year,
        null,
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
        null,
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
        null,
        100 * import_change_since_start,
        null,
        origin
    from {{ ref('ind_hs4_vulnerability') }}
    where import_change_since_start is not null

),

-- figures no trade data can give, and why
not_trade as (

    select
        'foreign_firm_dependence_rating' as indicator,
        'firm-level data, not trade data' as reason
    union all
    select
        'technological_leadership_rating',
        'firm-level and patent data, not trade data'
    union all
    select
        'medical_device_import_share_of_market',
        'market size is not in trade data'
    union all
    select
        'agri_machinery_import_share_of_market',
        'market size is not in trade data'
    union all
    select
        'imports_rail_bogies',
        'a product-level figure the pipeline does not produce'

),

-- why the pipeline has no figure where it has none by design
no_figure as (

    select distinct
        'seed_002' as study,
        'world_export_share' as indicator,
        'all manufactured goods' as subject,
        trade_year as figure_year,
        manufactured_share_status as reason
    from {{ ref('ind_mic25_export_share') }}
    where manufactured_china_share is null
    union all
    select
        'seed_002',
        'import_dependence_rating',
        sector_name,
        trade_year,
        'no trade codes for this sector (indicative only; the study rates it n/a)'
    from {{ ref('ind_mic25_scorecard') }}
    where import_dependence_rating = 'n/a'
    union all
    select
        'seed_002',
        'competitiveness_rating',
        sector_name,
        trade_year,
        'no trade codes for this sector (indicative only)'
    from {{ ref('ind_mic25_scorecard') }}
    where competitiveness_rating = 'n/a'

),

published as (

    select
        study,
        indicator,
        subject,
        cast(nullif(cast(year as string), '') as integer) as figure_year,
        -- an empty cell is null on DuckDB, the text 'None' in a dbt-spark seed
        case when compare_at in ('start', 'end', 'peak') then compare_at end as compare_at,
        cast(value as string) as published_value,
        {{ to_number_or_null("replace(replace(cast(value as string), '~', ''), '>', '')") }}
            as published_number,
        cast(value as string) like '>%' as is_lower_bound,
        unit,
        cast(tolerance as double) as tolerance,
        note
    from {{ ref('ref_published_figures') }}

),

joined as (

    select
        published.*,
        ours.our_value,
        ours.our_text,
        ours.origin as our_origin,
        coalesce(not_trade.reason, no_figure.reason) as not_computed_reason
    from published
    left join ours
        on
            published.study = ours.study
            and published.indicator = ours.indicator
            and lower(published.subject) = lower(ours.subject)
            and (
                published.figure_year = ours.figure_year
                or (published.figure_year is null and published.compare_at = ours.compare_at)
            )
    left join not_trade on published.indicator = not_trade.indicator
    left join no_figure
        on
            published.study = no_figure.study
            and published.indicator = no_figure.indicator
            and lower(published.subject) = lower(no_figure.subject)
            and published.figure_year = no_figure.figure_year

)

select
    study,
    indicator,
    subject,
    figure_year,
    compare_at,
    published_value,
    unit,
    our_value,
    our_text,
    our_value - published_number as difference,
    tolerance,
    coalesce(our_origin, 'none') as our_origin,
    case
        when
            study = 'seed_002' and indicator in ('world_export_share', 'dominance_share')
            and lower(subject) != 'all manufactured goods'
            then 'with mirror fill (missing reporters estimated from partners'' imports)'
        else 'as reported'
    end as our_basis,
    case
        when our_value is null and our_text is null and not_computed_reason is not null
            then {{ dbt.concat(["'not computed: '", "not_computed_reason"]) }}
        when our_value is null and our_text is null
            then 'not computed: the pipeline has no figure for this subject and year'
        when our_origin = 'real' then 'comparable (real inputs; sources may differ)'
        when our_origin = 'mixed' then 'not comparable: mixed real and synthetic inputs'
        else 'not comparable: synthetic'
    end as comparability,
    case
        when our_origin != 'real' or (our_value is null and our_text is null) then null
        when our_text is not null and lower(our_text) = lower(published_value) then 'agrees (same)'
        when
            our_text is not null and lower(our_text) like 'strong or mixed%'
            and lower(published_value) in ('strong', 'mixed')
            then 'undetermined (top-10 firm unknown)'
        when our_text is not null then 'differs'
        when is_lower_bound and our_value > published_number then 'agrees (above the bound)'
        when is_lower_bound then 'differs'
        when abs(our_value - published_number) <= tolerance
            then {{ dbt.concat(["'agrees (within '", dbt.cast("tolerance", dbt.type_string()), "')'"]) }}
        else 'differs'
    end as agreement,
    note
from joined
