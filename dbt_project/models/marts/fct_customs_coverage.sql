-- What the loaded customs files cover, per month, flow and grain: of the codes the
-- analysis judges (the batch codes and the HS8 codes the data holds that year), how many
-- are loaded, absent with no trade (declared queries), or not downloaded; which look like
-- a gap (loaded the month before and after); how many codes take their totals from this
-- grain; and how much of China Customs' full HS8 list of the year is loaded, with the
-- loaded codes that list does not hold. `chokepoint customs coverage` prints it;
-- `chokepoint customs plan` turns what is missing into portal queries.
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
        count(case when is_judged then 1 end) as codes_judged,
        count(case when is_judged and is_loaded then 1 end) as codes_loaded,
        count(case when is_judged and status = 'no trade' then 1 end) as codes_no_trade,
        count(
            case when is_judged and status = 'not downloaded' then 1 end
        ) as codes_missing,
        count(case when is_judged and is_suspected_gap then 1 end) as suspected_gaps,
        count(case when is_list_code then 1 end) as list_codes,
        count(case when is_list_code and is_loaded then 1 end) as list_codes_loaded,
        count(case when is_loaded and not is_list_code then 1 end) as off_list_codes
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
    where is_judged and is_suspected_gap
    group by period_month, flow, grain

),

off_list as (

    select
        period_month,
        flow,
        grain,
        {{ sorted_list_agg('hs8', "' '") }} as off_list_code_list
    from codes
    where is_loaded and not is_list_code
    group by period_month, flow, grain

)

select
    summary.period_month,
    summary.flow,
    summary.grain,
    summary.batch_codes,
    summary.batch_codes_loaded,
    summary.batch_codes_missing,
    summary.codes_judged,
    summary.codes_loaded,
    summary.codes_no_trade,
    summary.codes_missing,
    summary.suspected_gaps,
    coalesce(totals.n_codes, 0) as codes_totalled_here,
    summary.list_codes,
    summary.list_codes_loaded,
    case
        when summary.list_codes > 0
            then cast(summary.list_codes_loaded as double) / summary.list_codes
    end as list_share_loaded,
    summary.off_list_codes,
    case
        when summary.codes_loaded = 0 then 'not loaded'
        when summary.codes_missing = 0 then 'complete'
        when summary.suspected_gaps > 0 then 'incomplete'
        else 'partial'
    end as verdict,
    missing_batch.missing_batch_codes,
    gaps.suspected_gap_codes,
    off_list.off_list_code_list
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
left join off_list
    on
        summary.period_month = off_list.period_month
        and summary.flow = off_list.flow
        and summary.grain = off_list.grain
