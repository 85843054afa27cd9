-- marts.fct_funnel: registration week x acquisition source x brand x jurisdiction, strict funnel counts.
select cohort_week, acquisition_source, brand, jurisdiction, registered, kyc_verified, first_deposit, active, redeposit,
       median_hours_to_first_deposit::double as median_hours_to_first_deposit
from marts.fct_funnel
