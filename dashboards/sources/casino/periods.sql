-- The periods the pages' period filter offers, each with the period before it of the same length
-- (what "vs previous period" compares with). Relative to the last day with gaming activity in the
-- snapshot (as_of), not the build machine's clock, so a snapshot of old data still shows data.
with a as (select max(activity_date) as as_of from marts.fct_ggr_daily)
select * from (
  select 1 as sort, 'Last 7 days' as period, as_of - 6 as period_start, as_of as period_end, as_of - 13 as prev_start, as_of - 7 as prev_end, as_of from a
  union all
  select 2, 'Last 30 days', as_of - 29, as_of, as_of - 59, as_of - 30, as_of from a
  union all
  select 3, 'Month to date', date_trunc('month', as_of)::date, as_of, (date_trunc('month', as_of) - interval 1 month)::date, (as_of - interval 1 month)::date, as_of from a
  union all
  select 4, 'Previous month', (date_trunc('month', as_of) - interval 1 month)::date, (date_trunc('month', as_of) - interval 1 day)::date,
         (date_trunc('month', as_of) - interval 2 month)::date, (date_trunc('month', as_of) - interval 1 month - interval 1 day)::date, as_of from a
  union all
  select 5, 'Last 90 days', as_of - 89, as_of, as_of - 179, as_of - 90, as_of from a
)
where as_of is not null
order by sort
