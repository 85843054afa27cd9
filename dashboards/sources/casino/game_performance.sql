-- marts.fct_game_performance with titles: handle, hold and RTP per game and day.
select g.activity_date, g.game_id, coalesce(s.title, g.game_id) as game, g.provider_id, g.bet_source, g.rounds, g.bets, g.players,
       g.handle_eur::double as handle_eur, g.payouts_eur::double as payouts_eur, g.hold_eur::double as hold_eur,
       g.observed_rtp::double as observed_rtp, g.theoretical_rtp::double as theoretical_rtp
from marts.fct_game_performance g
left join seeds.games s using (game_id)
