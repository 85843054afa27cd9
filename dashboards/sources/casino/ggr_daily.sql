-- marts.fct_ggr_daily with game titles: GGR, NGR and stakes in EUR per day, brand, jurisdiction,
-- game, table, provider and currency. EUR amounts as DOUBLE for display (the mart's exact
-- DECIMAL(18,2) cents; the exact figures stay in the mart's minor units). Stakes, bets and GGR are
-- the players' own money; free bets (the operator's stakes) are counted apart, and what they paid
-- (free_bet_wins_eur) is part of the bonus cost, so of NGR.
select g.activity_date, g.brand, g.jurisdiction, g.currency, g.game_id, coalesce(s.title, g.game_id) as game,
       g.table_id, g.provider_id, g.bets, g.free_bets, g.players,
       g.stakes_eur::double as stakes_eur, g.wins_eur::double as wins_eur, g.ggr_eur::double as ggr_eur,
       g.bonus_cost_eur::double as bonus_cost_eur, g.free_bet_wins_eur::double as free_bet_wins_eur, g.ngr_eur::double as ngr_eur
from marts.fct_ggr_daily g
left join seeds.games s using (game_id)
