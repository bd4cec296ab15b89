-- Every year of the run ($years) has China's GDP.
SELECT y AS year
FROM (SELECT unnest(CAST($years AS BIGINT[])) AS y)
WHERE y NOT IN (SELECT year FROM raw.gdp_annual WHERE iso3 = 'CHN')
