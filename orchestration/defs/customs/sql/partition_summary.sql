-- Per month of the run: the rows and files the check looked at.
SELECT m AS month, count(t.hs8) AS rows, count(DISTINCT t.source_file) AS files
FROM (SELECT unnest(CAST($months AS VARCHAR[])) AS m)
LEFT JOIN raw.customs_monthly_trade AS t ON t.period_month = m
GROUP BY m ORDER BY m
