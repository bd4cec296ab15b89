-- Per HS6 (HS2017) and year: China's exports and imports, world exports as the sum of
-- reporters' exports, China's share of world exports and its import/export ratio.
-- Codes of other revisions are carried into HS2017 by int_hs6_conversion (one UNSD target
-- per code by default), so a code-year holds the value reported under that code, whole;
-- hs_conversion names the method. Aggregate reporters (EU, ASEAN: their members report
-- too) are left out of world exports. Years where a major exporter did not report are
-- flagged, with an estimate of the share of world exports the reporters present cover.
-- Beside the figures as reported, the same figures with the mirror fill
-- (int_comtrade__mirror_exports: missing reporters' and codes' exports estimated from
-- their partners' imports), as ITC Trade Map and BACI fill them.
{%- set major = ['CHN', 'USA', 'DEU', 'JPN', 'KOR', 'NLD', 'FRA', 'ITA', 'GBR', 'HKG'] %}
with world_rows as (

    select * from {{ ref('int_comtrade__hs6_canonical') }}
    where partner_code = 0 and not is_aggregate_reporter

),

by_reporter as (

    select
        trade_year,
        hs6,
        reporter_iso3,
        sum(case when flow = 'export' then value_usd else 0 end) as exports_usd
    from world_rows
    group by trade_year, hs6, reporter_iso3

),

reporter_weight as (

    -- a reporter's typical share of world exports of the code, from the years it reported
    select
        r.hs6,
        r.reporter_iso3,
        avg(r.exports_usd / nullif(t.world, 0)) as typical_share
    from by_reporter as r
    inner join (
        select
            trade_year,
            hs6,
            sum(exports_usd) as world
        from by_reporter
        group by trade_year, hs6
    ) as t on r.trade_year = t.trade_year and r.hs6 = t.hs6
    group by r.hs6, r.reporter_iso3

),

years as (

    select distinct trade_year from world_rows

),

missing_major as (

    select
        years.trade_year,
        w.hs6,
        count(*) as n_major_missing,
        sum(w.typical_share) as missing_typical_share
    from years
    cross join reporter_weight as w
    left join by_reporter as r
        on
            years.trade_year = r.trade_year and w.hs6 = r.hs6
            and w.reporter_iso3 = r.reporter_iso3
    where
        r.reporter_iso3 is null
        and w.reporter_iso3 in ({% for m in major %}'{{ m }}'{% if not loop.last %}, {% endif %}{% endfor %})
    group by years.trade_year, w.hs6

),

totals as (

    select
        trade_year,
        hs6,
        sum(case when flow = 'export' and reporter_code = 156 then value_usd else 0 end)
            as china_exports_usd,
        sum(case when flow = 'import' and reporter_code = 156 then value_usd else 0 end)
            as china_imports_usd,
        sum(case when flow = 'export' then value_usd else 0 end) as world_exports_usd,
        count(distinct case when flow = 'export' then reporter_code end) as n_reporters,
        max(case when reporter_code = 156 then hs_revision end) as china_hs_revision,
        {{ sorted_distinct_list_agg('hs_revision', "', '") }} as hs_revisions_reported,
        {{ sorted_distinct_list_agg("case when hs_conversion != 'none' then hs_conversion end",
                                    "', '") }} as hs_conversion_rules,
        {{ combined_origin('origin') }} as origin
    from world_rows
    group by trade_year, hs6

),

mirror as (

    select
        trade_year,
        hs6,
        sum(value_usd) as mirror_exports_usd,
        sum(case when reporter_code = 156 then value_usd else 0 end) as china_mirror_exports_usd,
        count(distinct reporter_code) as n_reporters_mirrored
    from {{ ref('int_comtrade__mirror_exports') }}
    group by trade_year, hs6

)

select
    totals.trade_year,
    totals.hs6,
    substr(totals.hs6, 1, 4) as hs4,
    totals.china_exports_usd,
    totals.china_imports_usd,
    totals.world_exports_usd,
    totals.china_exports_usd / nullif(totals.world_exports_usd, 0) as china_world_export_share,
    totals.china_imports_usd / nullif(totals.china_exports_usd, 0) as china_import_export_ratio,
    totals.n_reporters,
    'HS2017' as hs_revision_compared,
    totals.china_hs_revision,
    totals.hs_revisions_reported,
    case
        when totals.hs_conversion_rules is null then 'none (all reported in HS2017)'
        else '{{ setting("hs_conversion", "unsd") }}'
    end as hs_conversion,
    totals.hs_conversion_rules,
    coalesce(missing_major.n_major_missing, 0) as n_major_reporters_missing,
    1 - coalesce(missing_major.missing_typical_share, 0) as coverage_share_estimate,
    coalesce(mirror.n_reporters_mirrored, 0) as n_reporters_mirrored,
    coalesce(mirror.mirror_exports_usd, 0) as mirror_exports_usd,
    totals.china_exports_usd + coalesce(mirror.china_mirror_exports_usd, 0)
        as china_exports_with_mirror_usd,
    totals.world_exports_usd + coalesce(mirror.mirror_exports_usd, 0)
        as world_exports_with_mirror_usd,
    (totals.china_exports_usd + coalesce(mirror.china_mirror_exports_usd, 0))
    / nullif(totals.world_exports_usd + coalesce(mirror.mirror_exports_usd, 0), 0)
        as china_world_export_share_with_mirror,
    totals.origin
from totals
left join missing_major
    on totals.trade_year = missing_major.trade_year and totals.hs6 = missing_major.hs6
left join mirror on totals.trade_year = mirror.trade_year and totals.hs6 = mirror.hs6
