-- The same transformations as the pipeline, as one plain DuckDB script: the yardstick
-- of `chokepoint bench` (ratio_vs_baseline). Paths are filled in by the bench driver.
-- No validation, no vintages, no orchestration: just load, convert, classify, compute.
-- The customs files are the portal's GB18030, which DuckDB does not read without an
-- extension: the driver decodes them first into one UTF-8 file (a streaming pass with
-- Python's codec, timed as part of the baseline). The portal's trailing comma reads as
-- an empty last column, left unused.

CREATE OR REPLACE TABLE customs AS
SELECT
    substr("数据年月", 1, 4) || '-' || substr("数据年月", 5, 2) AS period_month,
    'import' AS flow,
    "贸易伙伴编码" AS partner_code,
    "商品编码" AS hs8,
    CAST(replace("第一数量", ',', '') AS DOUBLE) AS qty1,
    CAST(replace("美元", ',', '') AS DOUBLE) AS value_usd
FROM read_csv('{customs_file}', all_varchar = true, header = true, quote = '"');

CREATE OR REPLACE TABLE fx AS
SELECT strftime("Date", '%Y-%m') AS period_month, "Exchange rate" AS cny_per_usd
FROM read_csv('{fx}', header = true) WHERE "Country" = 'China';

CREATE OR REPLACE TABLE gdp AS
SELECT year AS gdp_year, value * 1e9 AS gdp_usd
FROM read_csv('{weo}', header = true)
WHERE concept = 'NGDPD' AND ref_area = 'CHN';

CREATE OR REPLACE TABLE batches AS
SELECT
    CAST(regexp_extract(filename, 'batch_(\d+)_', 1) AS INTEGER) AS batch,
    lpad(hs8, 8, '0') AS hs8, CAST(group_id AS INTEGER) AS group_id,
    coalesce(nullif(valid_from, ''), '{window_start}') AS valid_from,
    coalesce(nullif(valid_to, ''), '9999-12') AS valid_to
FROM read_csv('{batches}', all_varchar = true, filename = true, union_by_name = true);

CREATE OR REPLACE TABLE bec AS
SELECT 'HS2017' AS hs_revision, "HS 2017" AS hs6, "BEC" AS bec4,
    1.0 / count(*) OVER (PARTITION BY "HS 2017") AS weight
FROM read_csv('{bec}', all_varchar = true);

-- technology panel: group x batch x month
CREATE OR REPLACE TABLE panel AS
SELECT b.batch, b.group_id, c.period_month, sum(c.value_usd) AS imports_usd
FROM customs c
JOIN batches b ON c.hs8 = b.hs8 AND c.period_month BETWEEN b.valid_from AND b.valid_to
GROUP BY ALL;

-- V, G (linear weights, first month as base) and pattern
CREATE OR REPLACE TABLE patterns AS
WITH s AS (
    SELECT *, row_number() OVER (PARTITION BY batch, group_id ORDER BY period_month) AS t,
        first(imports_usd) OVER (PARTITION BY batch, group_id ORDER BY period_month) AS x1
    FROM panel)
SELECT batch, group_id,
    stddev_samp(imports_usd) / avg(imports_usd) AS v,
    sum(t * (imports_usd - x1) / x1) / sum(t) AS g,
    CASE WHEN sum(t * (imports_usd - x1) / x1) / sum(t) <= 0.5
             THEN 'successful import substitution'
         WHEN stddev_samp(imports_usd) / avg(imports_usd) > 0.3
             THEN 'stockpiling or policy disturbance'
         ELSE 'no discernable effect' END AS pattern
FROM s GROUP BY ALL;

-- SNA classes through BEC, annual shares of GDP
CREATE OR REPLACE TABLE gdp_shares AS
SELECT CAST(substr(c.period_month, 1, 4) AS INTEGER) AS trade_year,
    sum(CASE WHEN bec.bec4 IN ('41', '521') THEN c.value_usd * bec.weight END)
        / any_value(gdp.gdp_usd) AS capital_share,
    sum(CASE WHEN bec.bec4 IN ('111', '121', '21', '22', '31', '322', '42', '53')
        THEN c.value_usd * bec.weight END) / any_value(gdp.gdp_usd) AS intermediate_share
FROM customs c
LEFT JOIN bec ON substr(c.hs8, 1, 6) = bec.hs6
LEFT JOIN gdp ON CAST(substr(c.period_month, 1, 4) AS INTEGER) = gdp.gdp_year
GROUP BY ALL;

-- Comtrade: China's share of world exports per HS6 and year
CREATE OR REPLACE TABLE world_share AS
SELECT CAST(refYear AS INTEGER) AS trade_year, cmdCode AS hs6,
    sum(CASE WHEN reporterCode = '156' AND flowCode = 'X' THEN CAST(primaryValue AS DOUBLE) END)
        / sum(CASE WHEN flowCode = 'X' THEN CAST(primaryValue AS DOUBLE) END) AS china_share,
    sum(CASE WHEN reporterCode = '156' AND flowCode = 'M' THEN CAST(primaryValue AS DOUBLE) END)
        / sum(CASE WHEN reporterCode = '156' AND flowCode = 'X'
              THEN CAST(primaryValue AS DOUBLE) END) AS import_export_ratio
FROM read_csv('{comtrade_glob}', all_varchar = true, delim = '\t', header = true)
WHERE coalesce(partner2Code, '0') = '0' AND coalesce(customsCode, 'C00') = 'C00'
  AND coalesce(motCode, '0') = '0'
GROUP BY ALL;
