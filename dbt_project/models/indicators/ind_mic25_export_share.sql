-- Per sector and year: China's exports, world exports and China's share; dominance: the
-- share of the sector's codes where China has more than 30% of world exports (setting
-- dominance_threshold); and the "all manufactured goods" reference line.
-- Totals read every reporter's rows in the revision it reported in, with the sector's list
-- in that revision (int_mic25_sector_codes): no value is converted. Dominance is a count
-- of codes, so it is taken per HS2017 code from ind_hs6_world_share (one UNSD target per
-- code; hs_conversion says so). Aggregate reporters are left out of world exports.
-- All manufactured goods (HS 28-96 without 71) is only given when the loaded data holds
-- nearly every such code (setting manufactured_min_code_coverage, 0.95 of the HS2017
-- codes of those chapters with world exports that year); a share over the few codes a
-- study of some sectors loads would not be China's share of manufactured exports.
-- Where the six-digit codes fall short, reporters' chapter records give it instead
-- (int_comtrade__reporter_totals), and their TOTAL records give China's share of world
-- exports of all goods; both only when China and nearly every reporter with exports
-- that year (the same coverage setting, counted in reporters) sent such records.
-- The *_with_mirror columns add the mirror fill (int_comtrade__mirror_exports, HS2017
-- codes, so matched on the sector's HS2017 list): the exports of reporters and codes
-- missing from Comtrade, estimated from their partners' imports.
{%- set dominance = setting_number('dominance_threshold', 0.30) %}
{%- set min_coverage = setting_number('manufactured_min_code_coverage', 0.95) %}
with sector_codes as (

    select * from {{ ref('int_mic25_sector_codes') }}

),

exports as (

    select
        flows.trade_year,
        flows.reporter_code,
        flows.hs_revision,
        flows.hs6,
        flows.primary_value_usd,
        flows.origin
    from {{ ref('stg_comtrade__annual_flows') }} as flows
    where
        flows.flow = 'export'
        and flows.partner_code = 0
        and flows.reporter_code not in (
            select aggregates.comtrade_code
            from {{ ref('ref_comtrade_aggregate_reporters') }} as aggregates
        )

),

totals as (

    select
        sector_codes.sector_id,
        sector_codes.sector_name,
        exports.trade_year,
        sum(case when exports.reporter_code = 156 then exports.primary_value_usd else 0 end)
            as china_exports_usd,
        sum(exports.primary_value_usd) as world_exports_usd,
        {{ combined_origin('exports.origin') }} as origin
    from exports
    inner join sector_codes
        on exports.hs_revision = sector_codes.hs_revision and exports.hs6 = sector_codes.hs6
    group by sector_codes.sector_id, sector_codes.sector_name, exports.trade_year

),

mirror_totals as (

    select
        sector_codes.sector_id,
        mirror.trade_year,
        sum(mirror.value_usd) as mirror_exports_usd,
        sum(case when mirror.reporter_code = 156 then mirror.value_usd else 0 end)
            as china_mirror_exports_usd
    from {{ ref('int_comtrade__mirror_exports') }} as mirror
    inner join sector_codes
        on sector_codes.hs_revision = 'HS2017' and mirror.hs6 = sector_codes.hs6
    group by sector_codes.sector_id, mirror.trade_year

),

shares as (

    select * from {{ ref('ind_hs6_world_share') }}
    where world_exports_usd > 0

),

dominance as (

    select
        codes.sector_id,
        shares.trade_year,
        count(*) as n_hs6_codes,
        sum(case when shares.china_world_export_share > {{ dominance }} then 1 else 0 end)
            as n_hs6_dominant,
        sum(
            case when shares.china_world_export_share_with_mirror > {{ dominance }} then 1 else 0 end
        ) as n_hs6_dominant_with_mirror,
        {{ combined_origin('shares.origin') }} as origin
    from (
        select distinct
            sector_id,
            hs6_hs2017
        from sector_codes
    ) as codes
    inner join shares on codes.hs6_hs2017 = shares.hs6
    group by codes.sector_id, shares.trade_year

),

manufactured_codes as (

    select count(*) as n_codes
    from {{ ref('stg_reference__hs_concordance') }}
    where
        hs_revision = 'HS2017'
        and cast(substr(hs6, 1, 2) as integer) between 28 and 96
        and substr(hs6, 1, 2) != '71'

),

reporter_totals as (

    select reporter_totals.*
    from {{ ref('int_comtrade__reporter_totals') }} as reporter_totals
    where
        reporter_totals.flow = 'export'
        and reporter_totals.reporter_code not in (
            select aggregates.comtrade_code
            from {{ ref('ref_comtrade_aggregate_reporters') }} as aggregates
        )

),

reporters as (

    select
        trade_year,
        count(distinct reporter_code) as n_reporters
    from exports
    group by trade_year

),

world_totals as (

    select
        reporter_totals.trade_year,
        sum(case when reporter_totals.reporter_code = 156 then reporter_totals.all_goods_usd end)
        / nullif(sum(reporter_totals.all_goods_usd), 0) as all_goods_share,
        count(reporter_totals.all_goods_usd) as n_reporters_total,
        sum(case when reporter_totals.reporter_code = 156 then reporter_totals.manufactured_usd end)
        / nullif(sum(reporter_totals.manufactured_usd), 0) as chapters_share,
        count(reporter_totals.manufactured_usd) as n_reporters_chapters
    from reporter_totals
    group by reporter_totals.trade_year

),

covered_totals as (

    select
        world_totals.trade_year,
        case
            when
                world_totals.n_reporters_total >= 2
                and world_totals.n_reporters_total
                >= {{ min_coverage }} * coalesce(reporters.n_reporters, 0)
                then world_totals.all_goods_share
        end as all_goods_share,
        case
            when
                world_totals.n_reporters_chapters >= 2
                and world_totals.n_reporters_chapters
                >= {{ min_coverage }} * coalesce(reporters.n_reporters, 0)
                then world_totals.chapters_share
        end as chapters_share
    from world_totals
    left join reporters on world_totals.trade_year = reporters.trade_year

),

manufactured as (

    select
        shares.trade_year,
        count(*) as n_codes_loaded,
        sum(shares.china_exports_usd) / sum(shares.world_exports_usd) as share_of_loaded_codes
    from shares
    where
        cast(substr(shares.hs6, 1, 2) as integer) between 28 and 96
        and substr(shares.hs6, 1, 2) != '71'
    group by shares.trade_year

)

select
    totals.sector_id,
    totals.sector_name,
    totals.trade_year,
    coalesce(dominance.n_hs6_codes, 0) as n_hs6_codes,
    totals.china_exports_usd,
    totals.world_exports_usd,
    totals.china_exports_usd / nullif(totals.world_exports_usd, 0) as china_world_export_share,
    case
        when 1.0 * manufactured.n_codes_loaded / manufactured_codes.n_codes >= {{ min_coverage }}
            then manufactured.share_of_loaded_codes
        else covered_totals.chapters_share
    end as manufactured_china_share,
    case
        when 1.0 * manufactured.n_codes_loaded / manufactured_codes.n_codes >= {{ min_coverage }}
            then 'computed'
        when covered_totals.chapters_share is not null
            then 'computed from chapter records (HS 28-96 without 71)'
        else {{ dbt.concat([
            "'not computable from the loaded codes ('",
            dbt.cast("coalesce(manufactured.n_codes_loaded, 0)", dbt.type_string()),
            "' of '",
            dbt.cast("manufactured_codes.n_codes", dbt.type_string()),
            "' manufactured HS6 codes)'",
        ]) }}
    end as manufactured_share_status,
    covered_totals.all_goods_share as all_goods_china_share,
    coalesce(dominance.n_hs6_dominant, 0) as n_hs6_dominant,
    1.0 * dominance.n_hs6_dominant / nullif(dominance.n_hs6_codes, 0) as dominance_share,
    'none (totals in the revision reported); dominance per HS2017 code: {{ setting("hs_conversion", "unsd") }}'
        as hs_conversion,
    coalesce(mirror_totals.mirror_exports_usd, 0) as mirror_exports_usd,
    totals.china_exports_usd + coalesce(mirror_totals.china_mirror_exports_usd, 0)
        as china_exports_with_mirror_usd,
    totals.world_exports_usd + coalesce(mirror_totals.mirror_exports_usd, 0)
        as world_exports_with_mirror_usd,
    (totals.china_exports_usd + coalesce(mirror_totals.china_mirror_exports_usd, 0))
    / nullif(totals.world_exports_usd + coalesce(mirror_totals.mirror_exports_usd, 0), 0)
        as china_world_export_share_with_mirror,
    coalesce(dominance.n_hs6_dominant_with_mirror, 0) as n_hs6_dominant_with_mirror,
    1.0 * dominance.n_hs6_dominant_with_mirror / nullif(dominance.n_hs6_codes, 0)
        as dominance_share_with_mirror,
    totals.origin
from totals
cross join manufactured_codes
left join manufactured on totals.trade_year = manufactured.trade_year
left join covered_totals on totals.trade_year = covered_totals.trade_year
left join dominance
    on totals.sector_id = dominance.sector_id and totals.trade_year = dominance.trade_year
left join mirror_totals
    on
        totals.sector_id = mirror_totals.sector_id
        and totals.trade_year = mirror_totals.trade_year
