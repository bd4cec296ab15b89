-- The technology panel never exceeds total imports for the month (a group's codes are a
-- subset of all codes, so more than the total means double counting).
SELECT p.batch, p.period_month, sum(p.imports_usd) AS panel_usd,
       max(t.value_usd) AS total_imports_usd
FROM marts.fct_tech_group_monthly AS p
JOIN marts.fct_customs_monthly AS t
  ON t.period_month = p.period_month AND t.flow = 'import'
GROUP BY p.batch, p.period_month
HAVING sum(p.imports_usd) > max(t.value_usd) * (1 + 1e-9)
