-- Every month the run asked for ($months) holds rows.
SELECT m AS period_month
FROM (SELECT unnest(CAST($months AS VARCHAR[])) AS m)
WHERE m NOT IN (SELECT DISTINCT period_month FROM raw.customs_monthly_trade)
