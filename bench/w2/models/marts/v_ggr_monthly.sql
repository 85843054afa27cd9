MODEL (
  name marts.v_ggr_monthly,
  kind VIEW,
  grain [month, product, jurisdiction, currency],
  owner 'finance',
  tags [marts, finance],
  description 'GGR per month, product, jurisdiction and currency'
);

SELECT
  date_trunc('month', event_date) AS month,
  product,
  jurisdiction,
  currency,
  sum(rounds) AS rounds,
  sum(stake_minor) AS stake_minor,
  sum(ggr_minor) AS ggr_minor,
  round(sum(ggr_minor) / nullif(sum(stake_minor), 0), 6) AS hold_rate
FROM marts.fct_ggr_daily
GROUP BY ALL
