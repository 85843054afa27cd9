-- marts.fct_blackjack_hands_daily unpivoted: one row per blackjack table, UTC day and stake
-- component with its handle and payouts in EUR, and the theoretical RTP where one is known.
--
--   * 'main game': the box's hand as basic strategy plays it, per initial bet: the main bet's handle,
--     and as payouts what the main, split and double stakes returned less the split and double
--     stakes (1 + net return per initial bet, the convention of the rules' RTP). Its theoretical RTP
--     is the catalog's rtp_bp (seeds.games), the basic-strategy RTP of the table's rules
--     (domain/fairness/blackjack-rtp.ts, docs/fairness.md); insurance is not in it (basic strategy
--     never insures).
--   * 'main', 'split', 'double', 'insurance', 'behind' (bets behind, their splits and doubles):
--     each stake alone, payouts / handle; no theoretical figure (a component alone has none, and
--     insurance's depends on the cards in view).
--   * the side bets: their pay tables' RTP at 8 decks (docs/live-tables.md, "Side bets and pay
--     tables": Perfect Pairs 95.90 %, 21+3 96.30 %, Hot 3 94.60 %); every blackjack table of
--     config/tables.json deals 8 decks. The marts do not carry a table's decks: a 6-deck table's
--     21+3 (95.38 %) and Hot 3 (94.51 %) would need them.
-- The mart has each component's handle (cents) and RTP (DECIMAL(9,6)), not its payouts: payouts =
-- handle x RTP here, within a cent or so of the exact sum (a dashboard's precision).
with c as (
  select activity_date, table_id, game_id, table_format, boxes,
         main_handle_eur::double as main_h, coalesce(main_handle_eur * main_rtp, 0)::double as main_p,
         split_handle_eur::double as split_h, coalesce(split_handle_eur * split_rtp, 0)::double as split_p,
         double_handle_eur::double as double_h, coalesce(double_handle_eur * double_rtp, 0)::double as double_p,
         insurance_handle_eur::double as insurance_h, coalesce(insurance_handle_eur * insurance_rtp, 0)::double as insurance_p,
         behind_handle_eur::double as behind_h, coalesce(behind_handle_eur * behind_rtp, 0)::double as behind_p,
         perfect_pairs_bets, perfect_pairs_handle_eur::double as pp_h, coalesce(perfect_pairs_handle_eur * perfect_pairs_rtp, 0)::double as pp_p,
         twenty_one_plus_three_bets, twenty_one_plus_three_handle_eur::double as t3_h, coalesce(twenty_one_plus_three_handle_eur * twenty_one_plus_three_rtp, 0)::double as t3_p,
         hot_3_bets, hot_3_handle_eur::double as hot_h, coalesce(hot_3_handle_eur * hot_3_rtp, 0)::double as hot_p
  from marts.fct_blackjack_hands_daily
),
u as (
  select activity_date, table_id, game_id, 1 as sort, 'main game (per initial bet)' as component, boxes as bets, main_h as handle_eur,
         main_p + split_p + double_p - split_h - double_h as payouts_eur from c
  union all select activity_date, table_id, game_id, 2, 'main', boxes, main_h, main_p from c
  union all select activity_date, table_id, game_id, 3, 'split', null, split_h, split_p from c
  union all select activity_date, table_id, game_id, 4, 'double', null, double_h, double_p from c
  union all select activity_date, table_id, game_id, 5, 'insurance', null, insurance_h, insurance_p from c
  union all select activity_date, table_id, game_id, 6, 'behind', null, behind_h, behind_p from c
  union all select activity_date, table_id, game_id, 7, 'perfect_pairs', perfect_pairs_bets, pp_h, pp_p from c
  union all select activity_date, table_id, game_id, 8, 'twenty_one_plus_three', twenty_one_plus_three_bets, t3_h, t3_p from c
  union all select activity_date, table_id, game_id, 9, 'hot_3', hot_3_bets, hot_h, hot_p from c
)
select u.activity_date, u.table_id, u.sort, u.component, u.bets, u.handle_eur, u.payouts_eur,
       case u.component
         when 'main game (per initial bet)' then g.rtp_bp / 10000.0
         when 'perfect_pairs' then 0.9590
         when 'twenty_one_plus_three' then 0.9630
         when 'hot_3' then 0.9460
       end as theoretical_rtp
from u left join seeds.games g on g.game_id = u.game_id
where u.handle_eur > 0
