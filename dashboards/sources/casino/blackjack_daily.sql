-- marts.fct_blackjack_hands_daily: per live blackjack table and UTC day, how the hands went (the box
-- players' hands) and what the blackjack stakes returned (EUR, all currencies); seeds.games: the
-- table's game title and the catalog's rtp_bp, the basic-strategy RTP of its rules for the main game.
-- Counts are kept as counts (the page recomputes each rate from the period's sums, never averages
-- daily rates).
select b.activity_date, b.table_id, b.game_id, g.title as game, b.table_format,
       b.rounds, b.boxes, b.hands, b.players, b.naturals, b.busts, b.dealer_busts, b.dealer_naturals,
       b.hands_won, b.hands_pushed, b.hands_lost, b.doubles, b.splits, b.surrenders, b.decisions, b.timeouts,
       b.insurance_offered, b.insurance_taken,
       b.perfect_pairs_bets, b.perfect_pairs_hits, b.twenty_one_plus_three_bets, b.twenty_one_plus_three_hits, b.hot_3_bets, b.hot_3_hits,
       b.bets, b.handle_eur::double as handle_eur, b.payouts_eur::double as payouts_eur,
       g.rtp_bp / 10000.0 as theoretical_rtp
from marts.fct_blackjack_hands_daily b
left join seeds.games g on g.game_id = b.game_id
