{{ config(severity='warn') }}
-- A carbon-credit serial retired twice is refused (neither lot counts toward neutrality); this test
-- names the lots so the registry can be corrected.
select credit_id, registry, serial_start, serial_end, retired_for_year, retired_for_entity
from {{ ref('int_carbon_credits_validated') }}
where is_serial_retired_twice
