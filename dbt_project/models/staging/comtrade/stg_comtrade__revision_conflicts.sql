-- Reporter-years that arrived in more than one HS revision: how many rows and how much
-- value of each revision stg_comtrade__annual_flows kept, so nothing is dropped silently.
with raw_revisions as (

    select
        cast(year as integer) as trade_year,
        cast(reporter_code as integer) as reporter_code,
        hs_revision,
        count(*) as n_rows,
        sum(cast(primary_value_usd as double)) as value_usd,
        max(cast(vintage as string)) as newest_vintage
    from {{ source('comtrade', 'comtrade_annual_flows') }}
    group by 1, 2, 3

),

kept as (

    select
        trade_year,
        reporter_code,
        hs_revision,
        count(*) as n_rows_kept,
        sum(primary_value_usd) as value_usd_kept
    from {{ ref('stg_comtrade__annual_flows') }}
    group by 1, 2, 3

),

conflicted as (

    select
        trade_year,
        reporter_code
    from raw_revisions
    group by 1, 2
    having count(*) > 1

)

select
    raw_revisions.trade_year,
    raw_revisions.reporter_code,
    raw_revisions.hs_revision,
    raw_revisions.n_rows,
    raw_revisions.value_usd,
    raw_revisions.newest_vintage,
    coalesce(kept.n_rows_kept, 0) as n_rows_kept,
    coalesce(kept.value_usd_kept, 0) as value_usd_kept,
    raw_revisions.n_rows - coalesce(kept.n_rows_kept, 0) as n_rows_left_out
from raw_revisions
inner join conflicted
    on
        raw_revisions.trade_year = conflicted.trade_year
        and raw_revisions.reporter_code = conflicted.reporter_code
left join kept
    on
        raw_revisions.trade_year = kept.trade_year
        and raw_revisions.reporter_code = kept.reporter_code
        and raw_revisions.hs_revision = kept.hs_revision
