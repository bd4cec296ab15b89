-- The newest month against the oldest one GACC's release calendar allows on $as_of;
-- $oldest is NULL when no clock is set, and then nothing is offending.
SELECT max(period_month) AS latest_month,
       CAST($oldest AS VARCHAR) AS oldest_allowed,
       CAST($as_of AS VARCHAR) AS as_of
FROM raw.customs_monthly_trade
HAVING CAST($oldest AS VARCHAR) IS NOT NULL
   AND max(period_month) < CAST($oldest AS VARCHAR)
