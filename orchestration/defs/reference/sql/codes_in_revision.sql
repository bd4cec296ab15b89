-- Every code's first six digits exist in the HS revision in force when it is valid. The
-- revision windows come from dbt_project/macros/shared_facts.sql (hs_revision_windows),
-- as the parallel lists $revisions, $first_months and $last_months.
WITH rev AS (
    SELECT unnest(CAST($revisions AS VARCHAR[])) AS r,
           unnest(CAST($first_months AS VARCHAR[])) AS f,
           unnest(CAST($last_months AS VARCHAR[])) AS t),
codes AS (
    SELECT DISTINCT 'HS2012' AS r, hs4_6d AS c FROM raw_ref.hs2017_to_hs2012
    UNION ALL SELECT DISTINCT 'HS2017', hs5_6d FROM raw_ref.hs2017_to_hs2012
    UNION ALL SELECT DISTINCT 'HS2022', hs6_6d FROM raw_ref.hs2022_to_hs2017)
SELECT b.source_file, b.hs8, b.valid_from, b.valid_to, rev.r AS revision
FROM raw_ref.tech_batches AS b
JOIN rev ON b.valid_from <= rev.t AND coalesce(b.valid_to, '9999-12') >= rev.f
LEFT JOIN codes ON codes.r = rev.r AND codes.c = substr(b.hs8, 1, 6)
WHERE codes.c IS NULL
