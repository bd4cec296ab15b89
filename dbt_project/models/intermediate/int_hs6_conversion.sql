-- How each reported HS6 code is carried into HS2017, under the setting hs_conversion:
--   unsd (default): one target per code (stg_reference__hs_concordance), weight 1;
--   trade_weights: a code whose HS2017 successors come from it alone (a pure split, as
--     HS2012 300210 into 300211-300219) is shared among them in proportion to their world
--     trade in the nearest year reported in HS2017 (the first for HS2012 codes, the last
--     for HS2022 codes), the Harvard Growth Lab's rule for such splits. A code whose
--     successors also receive other codes (n:n, as 851712 and the ICs of 8542) keeps its
--     UNSD target: the successors' trade does not say which part came from which code.
--     Without HS2017 trade to weigh by, the UNSD target stays too.
-- Weights of a code sum to 1, so conversion never creates or loses value.
-- depends_on: {{ ref('stg_comtrade__annual_flows') }}
-- depends_on: {{ ref('ref_comtrade_aggregate_reporters') }}
{%- set method = setting('hs_conversion', 'unsd') %}
{%- if method not in ['unsd', 'trade_weights'] %}
    {{ exceptions.raise_compiler_error(
        "CHOKEPOINT_HS_CONVERSION must be 'unsd' or 'trade_weights', got '" ~ method ~ "'") }}
{%- endif %}
with concordance as (

    select * from {{ ref('stg_reference__hs_concordance') }}

)
{%- if method == 'unsd' %}

    select
        hs_revision,
        hs6,
        hs6_hs2017,
        1.0 as weight,
        hs_conversion,
        'unsd' as hs_conversion_method
    from concordance
{%- else %}
,

steps as (

    select
        case adjustment when '2017 to 2012' then 'HS2012' else 'HS2022' end as hs_revision,
        case adjustment
            when '2017 to 2012' then {{ dbt.right(dbt.concat(["'000000'", "code_before"]), 6) }}
            else {{ dbt.right(dbt.concat(["'000000'", "code_after"]), 6) }}
        end as hs6,
        case adjustment
            when '2017 to 2012' then {{ dbt.right(dbt.concat(["'000000'", "code_after"]), 6) }}
            else {{ dbt.right(dbt.concat(["'000000'", "code_before"]), 6) }}
        end as hs6_hs2017
    from {{ source('reference', 'hs_concordance_consolidated') }}
    where adjustment in ('2017 to 2012', '2022 to 2017')

),

pairs as (

    select distinct
        hs_revision,
        hs6,
        hs6_hs2017
    from steps

),

pure_split as (

    -- codes with several successors, each of which comes from this code alone
    select
        pairs.hs_revision,
        pairs.hs6
    from pairs
    inner join (
        select
            hs_revision,
            hs6_hs2017,
            count(*) as n_sources
        from pairs
        group by hs_revision, hs6_hs2017
    ) as sources
        on pairs.hs_revision = sources.hs_revision and pairs.hs6_hs2017 = sources.hs6_hs2017
    group by pairs.hs_revision, pairs.hs6
    having count(*) > 1 and max(sources.n_sources) = 1

),

hs2017_years as (

    select
        min(trade_year) as first_year,
        max(trade_year) as last_year
    from {{ ref('stg_comtrade__annual_flows') }}
    where hs_revision = 'HS2017'

),

hs2017_trade as (

    select
        flows.trade_year,
        flows.hs6,
        sum(flows.primary_value_usd) as value_usd
    from {{ ref('stg_comtrade__annual_flows') }} as flows
    where
        flows.hs_revision = 'HS2017'
        and flows.partner_code = 0
        and flows.reporter_code not in (
            select comtrade_code from {{ ref('ref_comtrade_aggregate_reporters') }}
        )
    group by flows.trade_year, flows.hs6

),

weighed as (

    select
        pairs.hs_revision,
        pairs.hs6,
        pairs.hs6_hs2017,
        coalesce(hs2017_trade.value_usd, 0) as value_usd
    from pairs
    inner join pure_split
        on pairs.hs_revision = pure_split.hs_revision and pairs.hs6 = pure_split.hs6
    cross join hs2017_years
    left join hs2017_trade
        on
            pairs.hs6_hs2017 = hs2017_trade.hs6
            and hs2017_trade.trade_year = case
                when pairs.hs_revision = 'HS2012' then hs2017_years.first_year
                else hs2017_years.last_year
            end

),

weights as (

    select
        hs_revision,
        hs6,
        hs6_hs2017,
        value_usd / nullif(sum(value_usd) over (partition by hs_revision, hs6), 0) as weight
    from weighed

),

weighted_codes as (

    select distinct
        hs_revision,
        hs6
    from weights
    where weight is not null

)

select
    weights.hs_revision,
    weights.hs6,
    weights.hs6_hs2017,
    weights.weight,
    'trade weights (pure split)' as hs_conversion,
    'trade_weights' as hs_conversion_method
from weights
where weights.weight is not null
union all
select
    concordance.hs_revision,
    concordance.hs6,
    concordance.hs6_hs2017,
    1.0 as weight,
    concordance.hs_conversion,
    'trade_weights' as hs_conversion_method
from concordance
left join weighted_codes
    on
        concordance.hs_revision = weighted_codes.hs_revision
        and concordance.hs6 = weighted_codes.hs6
where weighted_codes.hs6 is null
{%- endif %}
