-- What the loaded customs files cover, per month, flow and grain: of the batch codes and
-- of the HS8 list in use, how many are loaded, absent with no trade (declared queries),
-- or not downloaded; which codes look like a gap (loaded the month before and after);
-- and how many codes take their totals from this grain. `chokepoint customs coverage`
-- prints it; `chokepoint customs plan` turns what is missing into portal queries.
with codes as (

    select * from {{ ref('int_customs__code_coverage') }}

),

totals as (

    select
        period_month,
        flow,
        total_grain,
        count(*) as n_codes
    from {{ ref('int_customs__code_totals') }}
    group by period_month, flow, total_grain

),

summary as (

    select
        period_month,
        flow,
        grain,
        count(case when is_batch_code then 1 end) as batch_codes,
        count(case when is_batch_code and is_loaded then 1 end) as batch_codes_loaded,
        count(
            case when is_batch_code and status = 'not downloaded' then 1 end
        ) as batch_codes_missing,
        count(*) as list_codes,
        count(case when is_loaded then 1 end) as codes_loaded,
        count(case when status = 'no trade' then 1 end) as codes_no_trade,
        count(case when status = 'not downloaded' then 1 end) as codes_missing,
        count(case when is_suspected_gap then 1 end) as suspected_gaps
    from codes
    group by period_month, flow, grain

),

missing_batch as (

    select
        period_month,
        flow,
        grain,
        {{ sorted_list_agg('hs8', "' '") }} as missing_batch_codes
    from codes
    where is_batch_code and status = 'not downloaded'
    group by period_month, flow, grain

),

gaps as (

    select
        period_month,
        flow,
        grain,
        {{ sorted_list_agg('hs8', "' '") }} as suspected_gap_codes
    from codes
    where is_suspected_gap
    group by period_month, flow, grain

)

select
    summary.period_month,
    summary.flow,
    summary.grain,
    summary.batch_codes,
    summary.batch_codes_loaded,
    summary.batch_codes_missing,
    summary.list_codes,
    summary.codes_loaded,
    summary.codes_no_trade,
    summary.codes_missing,
    summary.suspected_gaps,
    coalesce(totals.n_codes, 0) as codes_totalled_here,
    case
        when summary.codes_loaded = 0 then 'not loaded'
        when summary.codes_missing = 0 then 'complete'
        when summary.suspected_gaps > 0 then 'incomplete'
        else 'partial'
    end as verdict,
    missing_batch.missing_batch_codes,
    gaps.suspected_gap_codes
from summary
left join totals
    on
        summary.period_month = totals.period_month
        and summary.flow = totals.flow
        and summary.grain = totals.total_grain
left join missing_batch
    on
        summary.period_month = missing_batch.period_month
        and summary.flow = missing_batch.flow
        and summary.grain = missing_batch.grain
left join gaps
    on
        summary.period_month = gaps.period_month
        and summary.flow = gaps.flow
        and summary.grain = gaps.grain
