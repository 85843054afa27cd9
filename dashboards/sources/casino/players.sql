-- One row per registered player: marts.dim_players with the player's segments (marts.player_segments)
-- and lifetime value (marts.player_ltv). Player ids only, no names (none are in the warehouse).
select p.player_id, p.brand, p.jurisdiction, p.country, p.currency, p.acquisition_source,
       p.registered_at::date as registered_date, date_trunc('month', p.registered_at)::date as cohort_month,
       p.first_deposit_at::date as first_deposit_date, p.kyc_status, p.account_status, p.is_vip,
       s.lifecycle, s.value_tier, s.vip_tier, s.rfm, array_to_string(s.segments, ', ') as segments, s.recency_days, s.frequency,
       s.monetary::double as monetary_eur,
       l.historical_ltv_eur::double as historical_ltv_eur, l.predicted_ltv_eur::double as predicted_ltv_eur,
       l.deposits_eur::double as deposits_eur, l.net_deposits_eur::double as net_deposits_eur, l.cohort_start, l.active_days
from marts.dim_players p
left join marts.player_segments s using (player_id)
left join marts.player_ltv l using (player_id)
