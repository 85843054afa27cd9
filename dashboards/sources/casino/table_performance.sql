-- marts.fct_table_performance: rounds, handle, hold and RTP per live table and day (EUR, all currencies).
select activity_date, table_id, game_id, game, rounds, rounds_settled, bets, players,
       handle_eur::double as handle_eur, payouts_eur::double as payouts_eur, hold_eur::double as hold_eur,
       observed_rtp::double as observed_rtp, theoretical_rtp::double as theoretical_rtp
from marts.fct_table_performance
