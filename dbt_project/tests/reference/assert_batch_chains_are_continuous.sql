-- Where a line ends, the batch carries it on: a row with a last month must be named in
-- `continues` by a row of the same batch and group that starts the month after; and
-- every code a row continues must be a row of that batch and group valid the month
-- before it starts. Returns the broken links.
{{ config(store_failures=true) }}

with batches as (

    select
        *,
        {{ month_index('valid_from') }} as from_idx,
        {{ month_index('valid_to') }} as to_idx,
        {{ dbt.concat(["' '", "coalesce(continues, '')", "' '"]) }} as continues_padded
    from {{ ref('stg_reference__tech_batches') }}

),

ended_without_successor as (

    select
        ended.batch,
        ended.group_id,
        ended.source_file,
        ended.source_line,
        ended.hs8,
        ended.valid_to as month,
        'ends without a row continuing it from the next month' as problem
    from batches as ended
    where
        ended.valid_to < '9999-12'
        and not exists (
            select 1
            from batches as nxt
            where
                nxt.batch = ended.batch
                and nxt.group_id = ended.group_id
                and nxt.from_idx = ended.to_idx + 1
                and nxt.continues_padded like {{ dbt.concat(["'% '", "ended.hs8", "' %'"]) }}
        )

),

continuing as (

    select
        *,
        -- codes are 8 digits separated by one space (the loader writes them so)
        cast((length(continues) + 1) / 9 as integer) as n_continued
    from batches
    where continues is not null

),

dangling as (

    select
        c.batch,
        c.group_id,
        c.source_file,
        c.source_line,
        c.hs8,
        c.valid_from as month,
        {{ dbt.concat(["'continues '", "c.continues", "', not all of them rows of the batch and group valid the month before'"]) }} as problem
    from continuing as c
    left join batches as prev
        on
            c.batch = prev.batch
            and c.group_id = prev.group_id
            and c.continues_padded like {{ dbt.concat(["'% '", "prev.hs8", "' %'"]) }}
            and prev.from_idx <= c.from_idx - 1
            and prev.to_idx >= c.from_idx - 1
    group by c.batch, c.group_id, c.source_file, c.source_line, c.hs8, c.valid_from, c.continues
    having count(distinct prev.hs8) < max(c.n_continued)

)

select * from ended_without_successor
union all
select * from dangling
