-- marts.fct_player_daily with the player's brand (marts.dim_players) and EUR at the day's rate
-- (seeds.fx_rates, illustrative like every EUR figure here): deposits completed, withdrawals paid,
-- and whether the player was active (a counted bet of their own money: a free bet does not count)
-- or deposited for the first time ever that day.
select d.activity_date, d.player_id, p.brand, d.jurisdiction, d.currency,
       d.deposits, round(d.deposits_minor / 10 ** d.currency_exponent * fx.rate_to_eur, 2)::double as deposits_eur,
       d.withdrawals, round(d.withdrawals_minor / 10 ** d.currency_exponent * fx.rate_to_eur, 2)::double as withdrawals_eur,
       d.bets, d.bets > 0 as active, p.first_deposit_at::date = d.activity_date as first_deposit, d.sessions, d.session_minutes::double as session_minutes
from marts.fct_player_daily d
left join marts.dim_players p using (player_id)
left join seeds.fx_rates fx on fx.rate_date = d.activity_date and fx.currency = d.currency
