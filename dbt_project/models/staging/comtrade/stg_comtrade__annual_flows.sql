-- UN Comtrade annual HS6 flows, the same goods in one HS revision only.
-- A reporter-year that arrives in two revisions (a file in H4 and another in H5, say) would
-- count the same goods twice once codes are carried into one revision. Where rows of two
-- revisions land on the same reporter, year, partner, flow and HS2017 code, only one
-- revision is kept: the one with the newest vintage; at equal vintages the later revision,
-- because UNSD converts reported data into older revisions, never into newer ones. Rows of
-- different codes from two revisions (a file of three codes in H4 beside a bulk file in H5)
-- are not the same goods and are both kept. The rows left out are listed in
-- stg_comtrade__revision_conflicts.
-- A table, not a view: four models read it, and the revision ranking is a window over
-- every row (10 million at full scale).
{{ config(materialized='table') }}
with flows as (

    select
        cast(year as integer) as trade_year,
        cast(reporter_code as integer) as reporter_code,
        reporter_iso3,
        cast(partner_code as integer) as partner_code,
        partner_iso3,
        flow,
        hs6,
        substr(hs6, 1, 4) as hs4,
        hs_revision,
        classification_code,
        cast(primary_value_usd as double) as primary_value_usd,
        cast(cif_value_usd as double) as cif_value_usd,
        cast(fob_value_usd as double) as fob_value_usd,
        cast(qty as double) as qty,
        qty_unit,
        cast(net_weight_kg as double) as net_weight_kg,
        cast(vintage as string) as vintage,
        origin,
        source
    from {{ source('comtrade', 'comtrade_annual_flows') }}
    -- six-digit and TOTAL rows; headings and chapters are read on their own
    -- (stg_comtrade__aggregate_flows), never added to six-digit rows
    where coalesce(cmd_level, 'HS6') in ('HS6', 'TOTAL')

),

keyed as (

    select
        flows.*,
        coalesce(concordance.hs6_hs2017, flows.hs6) as hs6_hs2017
    from flows
    left join {{ ref('stg_reference__hs_concordance') }} as concordance
        on flows.hs_revision = concordance.hs_revision and flows.hs6 = concordance.hs6

),

ranked as (

    select
        keyed.*,
        dense_rank() over (
            partition by keyed.trade_year, keyed.reporter_code, keyed.partner_code, keyed.flow, keyed.hs6_hs2017
            order by keyed.newest_vintage desc, keyed.hs_revision desc
        ) as preference
    from (
        select
            keyed.*,
            max(coalesce(keyed.vintage, '')) over (
                partition by keyed.trade_year, keyed.reporter_code, keyed.hs_revision
            ) as newest_vintage
        from keyed
    ) as keyed

)

select
    trade_year,
    reporter_code,
    reporter_iso3,
    partner_code,
    partner_iso3,
    flow,
    hs6,
    hs4,
    hs_revision,
    classification_code,
    primary_value_usd,
    cif_value_usd,
    fob_value_usd,
    qty,
    qty_unit,
    net_weight_kg,
    vintage,
    origin,
    source
from ranked
where preference = 1
