-- Each month of the run ($months): rows and USD value against the median of the 12
-- months before, within [$low, $high] x that median. In USD: files of one series may come
-- in RMB for some years and USD for others.
WITH m AS (
    SELECT t.period_month, t.flow, count(*) AS n,
           sum(CASE WHEN t.currency = 'USD' THEN t.value_native
                    ELSE t.value_native / fx.cny_per_usd END) AS v
    FROM raw.customs_monthly_trade AS t
    LEFT JOIN raw.fx_monthly AS fx
      ON fx.month = t.period_month AND fx.country = 'China'
    GROUP BY ALL),
with_reference AS (
    SELECT a.period_month, a.flow, a.n, a.v,
           (SELECT median(b.n) FROM m AS b WHERE b.flow = a.flow
              AND b.period_month < a.period_month
              AND b.period_month >= strftime(strptime(a.period_month, '%Y-%m')
                  - INTERVAL 12 MONTH, '%Y-%m')) AS n_ref,
           (SELECT median(b.v) FROM m AS b WHERE b.flow = a.flow
              AND b.period_month < a.period_month
              AND b.period_month >= strftime(strptime(a.period_month, '%Y-%m')
                  - INTERVAL 12 MONTH, '%Y-%m')) AS v_ref
    FROM m AS a WHERE list_contains(CAST($months AS VARCHAR[]), a.period_month))
SELECT * FROM with_reference
WHERE n_ref IS NOT NULL AND (n < $low * n_ref OR n > $high * n_ref
      OR v < $low * v_ref OR v > $high * v_ref)
