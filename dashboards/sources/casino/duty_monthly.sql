-- marts.rpt_gaming_duty_monthly: gaming duty per month, jurisdiction and currency.
select report_month, jurisdiction, currency, duty_name, duty_base, duty_rate_min::double as duty_rate_min, duty_rate_max::double as duty_rate_max,
       rate_verified, days_without_rate, duty_payable_eur::double as duty_payable_eur
from marts.rpt_gaming_duty_monthly
