-- No code sits in two groups of the same batch.
SELECT batch, hs8, list(DISTINCT group_id) AS groups
FROM raw_ref.tech_batches
GROUP BY batch, hs8
HAVING count(DISTINCT group_id) > 1
