-- Each loaded file's total equals what was stored from it (relative difference <= 1e-6).
SELECT l.file_name, l.total_value_native AS file_total,
       sum(v.value_native) AS stored_total
FROM raw.customs_load_log AS l
LEFT JOIN raw.customs_trade_vintages AS v USING (file_sha256)
WHERE l.reverted_at IS NULL
GROUP BY l.file_name, l.total_value_native
HAVING abs(coalesce(sum(v.value_native), 0) - l.total_value_native)
       > 1e-6 * greatest(abs(l.total_value_native), 1)
