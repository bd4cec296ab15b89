-- Mirror fill: the exports of a reporter that Comtrade lacks, estimated from what its
-- partners report importing from it. A reporter-year missing from Comtrade, or a code
-- missing from a year the reporter did report, is filled per HS2017 code with the sum of
-- the partners' imports from it (CIF) divided by a flat CIF/FOB factor (setting
-- cif_fob_factor, default 1.06: the factor the IMF's Direction of Trade Statistics divides
-- partners' CIF imports by to estimate a non-reporter's FOB exports). A reported value,
-- zero included, is never replaced: a zero is a report. Only codes some partner reports
-- are filled, so the fill is at most what the reporting partners saw.
-- In a year the reporter did report, a code counts as missing only against partners'
-- rows in a revision the reporter used that year: codes carried from another revision
-- land on one HS2017 successor by the UNSD rule, while the reporter may have reported
-- the goods under a sibling code, and the fill would count them twice.
-- Partner codes that are not economies are not filled: aggregates (ref_comtrade_aggregate_
-- reporters: World, EU, ASEAN) and Comtrade's bunkers, free zones, special categories and
-- areas not elsewhere specified (837, 838, 839, 899).
{%- set factor = setting_number('cif_fob_factor', 1.06) %}
{%- if factor < 1 %}
    {{ exceptions.raise_compiler_error(
        "CHOKEPOINT_CIF_FOB_FACTOR must be at least 1 (CIF includes freight), got " ~ factor) }}
{%- endif %}
with canonical as (

    select * from {{ ref('int_comtrade__hs6_canonical') }}

),

aggregates as (

    select comtrade_code from {{ ref('ref_comtrade_aggregate_reporters') }}

),

reported_codes as (

    select distinct
        trade_year,
        reporter_code,
        hs6
    from canonical
    where flow = 'export' and partner_code = 0

),

reported_revisions as (

    select distinct
        trade_year,
        reporter_code,
        hs_revision
    from canonical
    where flow = 'export' and partner_code = 0

),

reported_years as (

    select distinct
        trade_year,
        reporter_code
    from reported_revisions

),

comparable_imports as (

    select canonical.*
    from canonical
    left join reported_years
        on
            canonical.trade_year = reported_years.trade_year
            and canonical.partner_code = reported_years.reporter_code
    left join reported_revisions
        on
            canonical.trade_year = reported_revisions.trade_year
            and canonical.partner_code = reported_revisions.reporter_code
            and canonical.hs_revision = reported_revisions.hs_revision
    where
        canonical.flow = 'import'
        and (reported_years.reporter_code is null or reported_revisions.reporter_code is not null)

),

partner_imports as (

    select
        trade_year,
        partner_code as reporter_code,
        max(partner_iso3) as reporter_iso3,
        hs6,
        sum(value_usd) as partner_imports_cif_usd,
        count(distinct reporter_code) as n_partners_reporting,
        {{ combined_origin('origin') }} as origin
    from comparable_imports
    where
        partner_code != 0
        and partner_code != reporter_code
        and not is_aggregate_reporter
        and partner_code not in (837, 838, 839, 899)
        and partner_code not in (select aggregates.comtrade_code from aggregates)
    group by trade_year, partner_code, hs6

)

select
    partner_imports.trade_year,
    partner_imports.reporter_code,
    partner_imports.reporter_iso3,
    partner_imports.hs6,
    substr(partner_imports.hs6, 1, 4) as hs4,
    partner_imports.partner_imports_cif_usd,
    cast({{ factor }} as double) as cif_fob_factor,
    partner_imports.partner_imports_cif_usd / {{ factor }} as value_usd,
    partner_imports.n_partners_reporting,
    case
        when reported_years.reporter_code is null then 'reporter-year missing'
        else 'code missing from a reported year'
    end as fill_reason,
    true as is_mirror,
    partner_imports.origin
from partner_imports
left join reported_codes
    on
        partner_imports.trade_year = reported_codes.trade_year
        and partner_imports.reporter_code = reported_codes.reporter_code
        and partner_imports.hs6 = reported_codes.hs6
left join reported_years
    on
        partner_imports.trade_year = reported_years.trade_year
        and partner_imports.reporter_code = reported_years.reporter_code
where reported_codes.reporter_code is null
