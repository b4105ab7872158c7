{#-
  The SELECT of marts_private.fct_account_claims (the model's own file explains the checks, their order
  and the choices made for speed), for one slice of the accounts: slice `slice_index` of `slice_count`
  (see account_claims_slices below). Every window of the claims is partitioned by account, so a slice
  holds all it needs and the slices together are the whole table. `plan`: the run window decided before
  the pre-hook's delete (account_claims_run_plan), for the slices the post-hook renders.
-#}
{% macro account_claims_select(slice_index, slice_count, plan=none) %}
{%- set baseline_periods = account_baseline_periods() %}
{%- set any_filing = account_policy_has_filings() %}

with methodologies as (

    {#- The registry with small integer keys: the claims carry these (not ~30-character codes) through the
        window passes, and each step joins the few attributes it reads back from this small table. -#}
    select
        *,
        row_number() over (order by methodology_id, methodology_version) as methodology_key,
        dense_rank() over (order by behaviour_code) as behaviour_key,
        dense_rank() over (order by fingerprint_class) as fingerprint_key
    from {{ ref('int_account_methodologies') }}

),

claims as (

    {#- The events that passed step 1, in the run's months, plus the history own baselines need. -#}
    select
        prepared.event_id, prepared.activity_month, prepared.account_id, prepared.scenario, prepared.channel,
        prepared.local_date, prepared.occurred_at, prepared.quantity_canonical, prepared.entity_id,
        prepared.facility_id, prepared.reduction_place,
        methodologies.methodology_key, methodologies.behaviour_key, methodologies.fingerprint_key,
        methodologies.duplicate_window_minutes
    from {{ account_prepared_events(account_claims_slice_filter('account_id', slice_index, slice_count)
                                    ~ ' and (' ~ account_run_window('activity_month', plan)
                                    ~ ' or behaviour_code in (select behaviour_code from ' ~ ref('int_account_methodologies')
                                    ~ " where method = 'own_baseline'))") }} as prepared
    inner join methodologies
        on prepared.methodology_id = methodologies.methodology_id
        and prepared.methodology_version = methodologies.methodology_version
    where prepared.first_reject_reason is null
        and ({{ account_run_window('prepared.activity_month', plan) }} or prepared.method = 'own_baseline')

),

events_in_window as (

    {#- Every event of the run's months with its descriptive columns (read once more, for `final`). -#}
    select * from {{ account_prepared_events(account_run_window('activity_month', plan) ~ ' and '
                                             ~ account_claims_slice_filter('account_id', slice_index, slice_count)) }}
        as prepared

),

policy_settings as (

    select max(policy_sha256) as policy_sha256 from {{ ref('stg_policy_settings') }}

),

account_settings as (

    select max(case when setting = 'commuting_inventory_basis' then value end) as commuting_inventory_basis
    from {{ ref('stg_policy_account_settings') }}

),

points_rules as (

    select
        version as points_rule_version,
        valid_from,
        g_co2e_per_point,
        lead(valid_from) over (order by valid_from) as valid_until
    from {{ ref('stg_policy_account_points_rules') }}

),

campaigns as (

    select * from {{ ref('stg_policy_account_campaigns') }}

),

schemes as (

    select * from {{ ref('stg_policy_account_schemes') }}

),

filings as (

    select * from {{ ref('stg_policy_account_filings') }}

),

reversals as (

    select * from {{ ref('stg_policy_account_reversals') }}

),

boundary as (

    select entity_id, consolidation_share from {{ ref('int_entities_in_boundary') }}

),

scope3_categories as (

    select category, is_reported from {{ ref('stg_policy_scope3_categories') }}

),

metered_electricity as (

    select distinct
        facility_id,
        cast(substr(activity_month, 1, 4) as integer) as reporting_year
    from {{ ref('stg_energy') }}
    where energy_type = 'electricity' and data_source = 'meter'

),

methodology_scenarios as (

    select distinct methodology_id, behaviour_code, scenario from methodologies

),

best_campaign_by_day as (

    {#- Per scenario, behaviour and local day, the campaign with the highest multiplier (then the first id). -#}
    select scenario, behaviour_code, campaign_day, campaign_id, multiplier
    from (
        select
            methodology_scenarios.scenario,
            methodology_scenarios.behaviour_code,
            campaign_days.campaign_day,
            campaign_days.campaign_id,
            campaign_days.multiplier,
            row_number() over (
                partition by methodology_scenarios.scenario, methodology_scenarios.behaviour_code, campaign_days.campaign_day
                order by campaign_days.multiplier desc, campaign_days.campaign_id
            ) as preference
        from (
            select
                campaign_id, scenario, behaviour_code, multiplier,
                cast({{ dbt.dateadd('day', 'day_offset', 'start_date') }} as date) as campaign_day
            from (
                select *, {{ account_integer_series('0', dbt.datediff('start_date', 'end_date', 'day')) }} as day_offset
                from campaigns
            ) as campaign_offsets
        ) as campaign_days
        inner join methodology_scenarios
            on (campaign_days.scenario = '*' or campaign_days.scenario = methodology_scenarios.scenario)
            and (campaign_days.behaviour_code = '*' or campaign_days.behaviour_code = methodology_scenarios.behaviour_code)
    ) as ranked
    where preference = 1

),

scheme_places as (

    {#- Schemes per methodology and scenario ('*' resolved) and the place they name (a country covers its
        subdivisions: a claim is looked up by its place and by its country, CN-GD and CN). -#}
    select distinct schemes.scheme_id, schemes.methodology_id, methodology_scenarios.scenario, schemes.place
    from schemes
    inner join methodology_scenarios
        on schemes.methodology_id = methodology_scenarios.methodology_id
        and (schemes.scenario = '*' or schemes.scenario = methodology_scenarios.scenario)

),

recognising_places as (

    select distinct methodology_id, scenario, place from scheme_places

),

first_filing_by_place_and_month as (

    {#- Per methodology, scenario, place and month, the first filing of a scheme recognising them. -#}
    select methodology_id, scenario, place, activity_month, filing_id, filed_on
    from (
        select
            scheme_places.methodology_id,
            scheme_places.scenario,
            scheme_places.place,
            {{ account_month_of_number('filing_months.month_number') }} as activity_month,
            filing_months.filing_id,
            filing_months.filed_on,
            row_number() over (
                partition by scheme_places.methodology_id, scheme_places.scenario, scheme_places.place,
                    filing_months.month_number
                order by filing_months.filed_on, filing_months.filing_id
            ) as preference
        from (
            select
                filing_id, scheme_id, filed_on,
                {{ account_integer_series(account_month_number('period_start_month'), account_month_number('period_end_month')) }}
                    as month_number
            from filings
        ) as filing_months
        inner join scheme_places
            on filing_months.scheme_id = scheme_places.scheme_id
    ) as ranked
    where preference = 1

),

-- 2. duplicates ---------------------------------------------------------------------------------

previous_claims as (

    select
        *,
        lag(occurred_at) over (
            partition by account_id, fingerprint_key, local_date order by occurred_at, event_id
        ) as previous_claim_at
    from claims

),

claim_starts as (

    select
        *,
        case
            when previous_claim_at is null then 1
            when duplicate_window_minutes is null then case when occurred_at = previous_claim_at then 0 else 1 end
            when duplicate_window_minutes = 0 then 0
            when {{ account_epoch_seconds('occurred_at') }} - {{ account_epoch_seconds('previous_claim_at') }}
                <= duplicate_window_minutes * 60 then 0
            else 1
        end as starts_claim
    from previous_claims

),

deduplicated as (

    {#- A duplicate's original is the last claim that started before it in its group (same sort as above;
        null for the claims that start one, so nothing wide rides through the later passes). -#}
    select
        *,
        case when starts_claim = 0 then
            {{ account_last_non_null('case when starts_claim = 1 then event_id end') }} over claim_order
        end as original_event_id,
        case when starts_claim = 0 then
            {{ account_last_non_null("case when starts_claim = 1 then concat(' (channel ', channel, ', scenario ', scenario, ')') end") }}
                over claim_order
        end as original_channel_and_scenario
    from claim_starts
    window claim_order as (
        partition by account_id, fingerprint_key, local_date order by occurred_at, event_id
        rows between unbounded preceding and current row
    )

),

-- 3. plausibility of the unique claims (duplicates sit in partitions of their own) -------------------

day_context as (

    select
        *,
        sum(quantity_canonical) over (partition by account_id, behaviour_key, local_date, starts_claim) as day_quantity,
        lag(occurred_at) over (
            partition by account_id, behaviour_key, local_date, starts_claim order by occurred_at, event_id
        ) as previous_trip_at
    from deduplicated

),

speeds as (

    select
        day_context.*,
        case
            when day_context.starts_claim = 1 and methodologies.max_speed_kmh is not null
                and day_context.previous_trip_at is not null
                and {{ account_epoch_seconds('day_context.occurred_at') }} > {{ account_epoch_seconds('day_context.previous_trip_at') }}
                then day_context.quantity_canonical * 3600.0
                    / ({{ account_epoch_seconds('day_context.occurred_at') }} - {{ account_epoch_seconds('day_context.previous_trip_at') }})
        end as implied_speed_kmh,
        methodologies.max_quantity_per_day,
        methodologies.max_speed_kmh,
        methodologies.method,
        methodologies.baseline_periods
    from day_context
    inner join methodologies
        on day_context.methodology_key = methodologies.methodology_key

),

plausibility as (

    select
        *,
        case
            when starts_claim = 0 then null
            when max_quantity_per_day is not null and day_quantity > max_quantity_per_day then 'implausible_daily_total'
            when implied_speed_kmh > max_speed_kmh then 'implausible_speed'
        end as plausibility_reason
    from speeds

),

-- 4. own baselines: the mean of the previous N readings, one frame per N of the registry ------------

readings as (

    select
        *,
        starts_claim = 1 and method = 'own_baseline' and plausibility_reason is null as is_reading
    from plausibility

),

baselines as (

    select
        *,
        {#- Rounded to 9 decimals: engines (and two runs of one) add the readings in different orders, and
            a reading equal to its own mean must not flip between "no saving" and a saving of 1e-16. -#}
        case
            {%- for n in baseline_periods %}
            when is_reading and baseline_periods = {{ n | int }} then round(avg(quantity_canonical) over (
                partition by account_id, behaviour_key, is_reading order by occurred_at, event_id
                rows between {{ n | int }} preceding and 1 preceding), 9)
            {%- endfor %}
        end as baseline_quantity,
        case
            {%- for n in baseline_periods %}
            when is_reading and baseline_periods = {{ n | int }} then count(*) over (
                partition by account_id, behaviour_key, is_reading order by occurred_at, event_id
                rows between {{ n | int }} preceding and 1 preceding)
            {%- endfor %}
            when is_reading then 0
        end as baseline_readings
    from readings

),

measured as (

    select
        baselines.*,
        case
            when baselines.method = 'own_baseline'
                then greatest(coalesce(baselines.baseline_quantity, 0) - baselines.quantity_canonical, 0)
            when methodologies.is_quantified then baselines.quantity_canonical
        end as avoided_quantity,
        case
            when baselines.starts_claim = 0 then null
            when baselines.plausibility_reason is not null then baselines.plausibility_reason
            when baselines.method = 'own_baseline' and coalesce(baselines.baseline_readings, 0) < baselines.baseline_periods
                then 'baseline_incomplete'
            when baselines.method = 'own_baseline' and baselines.baseline_quantity <= round(baselines.quantity_canonical, 9)
                then 'no_saving_against_own_baseline'
        end as measure_reason,
        methodologies.is_quantified,
        methodologies.g_co2e_per_unit,
        methodologies.cap_unit,
        methodologies.daily_cap
    from baselines
    inner join methodologies
        on baselines.methodology_key = methodologies.methodology_key

),

-- 5. caps (only the creditable claims share a partition) ---------------------------------------------

creditable as (

    select
        *,
        starts_claim = 1 and measure_reason is null and method <> 'redemption' as is_creditable,
        case when is_quantified then avoided_quantity * g_co2e_per_unit else 0.0 end as g_co2e_gross,
        case
            when cap_unit = 'unit' then case when method = 'points_only' then quantity_canonical else avoided_quantity end
            when is_quantified then avoided_quantity * g_co2e_per_unit
            else quantity_canonical
        end as cap_measure
    from measured

),

daily_capped as (

    select
        *,
        case
            when daily_cap is null then cap_measure
            else greatest(0.0, least(cap_measure, daily_cap - coalesce(sum(cap_measure) over (
                partition by account_id, behaviour_key, local_date, is_creditable order by occurred_at, event_id
                rows between unbounded preceding and 1 preceding
            ), 0.0)))
        end as allowed_in_day
    from creditable

),

monthly_limits as (

    select daily_capped.*, methodologies.monthly_cap
    from daily_capped
    inner join methodologies
        on daily_capped.methodology_key = methodologies.methodology_key

),

monthly_capped as (

    select
        *,
        case
            when monthly_cap is null then allowed_in_day
            else greatest(0.0, least(allowed_in_day, monthly_cap - coalesce(sum(allowed_in_day) over (
                partition by account_id, behaviour_key, activity_month, is_creditable order by occurred_at, event_id
                rows between unbounded preceding and 1 preceding
            ), 0.0)))
        end as allowed
    from monthly_limits

),

capped as (

    select
        monthly_capped.*,
        case when monthly_capped.cap_measure > 0 then monthly_capped.allowed / monthly_capped.cap_measure else 0.0 end
            as credited_share,
        case
            when monthly_capped.cap_measure <= 0 then 'nothing_to_credit'
            when monthly_capped.allowed <= 0 and monthly_capped.allowed_in_day <= 0 then 'daily_cap_reached'
            when monthly_capped.allowed <= 0 then 'monthly_cap_reached'
        end as cap_reason,
        case
            when monthly_capped.allowed > 0 and monthly_capped.allowed_in_day < monthly_capped.cap_measure - 1e-9 then 'daily_cap'
            when monthly_capped.allowed > 0 and monthly_capped.allowed < monthly_capped.cap_measure - 1e-9 then 'monthly_cap'
        end as capped_by,
        methodologies.methodology_id,
        methodologies.behaviour_code,
        methodologies.points_per_unit,
        methodologies.approval_status,
        methodologies.inventory_category,
        methodologies.inventory_overlap_rule,
        methodologies.inventory_overlap_share,
        methodologies.fingerprint_class,
        cast(substr(monthly_capped.activity_month, 1, 4) as integer) as reporting_year
    from monthly_capped
    inner join methodologies
        on monthly_capped.methodology_key = methodologies.methodology_key

),

-- 6. points -----------------------------------------------------------------------------------------

pointed as (

    select
        capped.*,
        capped.g_co2e_gross * capped.credited_share as g_co2e_credited,
        case when capped.method = 'points_only' then capped.quantity_canonical else capped.avoided_quantity end
            * capped.credited_share as quantity_credited,
        points_rules.points_rule_version,
        points_rules.g_co2e_per_point,
        best_campaign_by_day.campaign_id,
        coalesce(best_campaign_by_day.multiplier, 1.0) as points_multiplier
    from capped
    left join points_rules
        on capped.is_creditable
        and capped.local_date >= points_rules.valid_from
        and (points_rules.valid_until is null or capped.local_date < points_rules.valid_until)
    left join best_campaign_by_day
        on capped.is_creditable
        and capped.scenario = best_campaign_by_day.scenario
        and capped.behaviour_code = best_campaign_by_day.behaviour_code
        and capped.local_date = best_campaign_by_day.campaign_day

),

points_computed as (

    select
        *,
        {#- Rounded to 6 decimals first, so 2.9999999 from binary fractions is 3, then down to whole points. -#}
        cast(case
            when allowed <= 0 then 0
            when method = 'points_only' then floor(round(quantity_credited * points_per_unit * points_multiplier, 6))
            when g_co2e_per_point is null then 0
            else floor(round(g_co2e_credited / g_co2e_per_point * points_multiplier, 6))
        end as bigint) as points
    from pointed

),

-- 7. inventory overlap, exchange eligibility, filings ----------------------------------------------------

inventory_overlaps as (

    select
        points_computed.*,
        case
            when points_computed.scenario <> 'employee' or points_computed.inventory_overlap_rule = 'none'
                or points_computed.inventory_overlap_rule is null then 0.0
            when not (
                points_computed.inventory_category like 's1_%' or points_computed.inventory_category like 's2_%'
                or coalesce(scope3_categories.is_reported, false)
            ) then 0.0
            when points_computed.inventory_overlap_rule = 'when_reported' then 1.0
            when points_computed.inventory_overlap_rule = 'when_metered_electricity'
                and metered_electricity.facility_id is not null then 1.0
            when points_computed.inventory_overlap_rule = 'when_commuting_trip_based'
                and account_settings.commuting_inventory_basis = 'trips' then 1.0
            else 0.0
        end * points_computed.inventory_overlap_share * coalesce(boundary.consolidation_share, 0.0) as inventory_fraction,
        regexp_extract(points_computed.reduction_place, '^([^-]+)', 1) as reduction_country
    from points_computed
    cross join account_settings
    left join scope3_categories
        on points_computed.inventory_category = scope3_categories.category
    left join metered_electricity
        on points_computed.facility_id = metered_electricity.facility_id
        and points_computed.reporting_year = metered_electricity.reporting_year
    left join boundary
        on points_computed.entity_id = boundary.entity_id

),

with_reversals as (

    select
        inventory_overlaps.*,
        inventory_overlaps.g_co2e_credited * inventory_overlaps.inventory_fraction as g_co2e_already_in_inventory,
        reversals.reversed_on,
        reversals.reason as reversal_reason
    from inventory_overlaps
    left join reversals
        on inventory_overlaps.event_id = reversals.event_id
        and inventory_overlaps.allowed > 0

),

eligibility as (

    select
        with_reversals.*,
        {#- Filed only if nothing of it is in the inventory, a scheme recognises the methodology for the
            scenario and the place (or its country), and this version is recognised or approved. -#}
        with_reversals.g_co2e_credited > 0
            and with_reversals.g_co2e_already_in_inventory = 0
            and with_reversals.approval_status in ('exchange_recognised', 'government_approved')
            and (recognised_here.place is not null or recognised_in_country.place is not null) as is_exchange_eligible,
        {#- The first filing of the place or of the country, if it was filed before any reversal. -#}
        case
            when filed_here.filing_id is not null and (filed_in_country.filing_id is null
                or filed_here.filed_on < filed_in_country.filed_on
                or (filed_here.filed_on = filed_in_country.filed_on and filed_here.filing_id <= filed_in_country.filing_id))
                then filed_here.filing_id
            else filed_in_country.filing_id
        end as first_filing_id,
        case
            when filed_here.filing_id is not null and (filed_in_country.filing_id is null
                or filed_here.filed_on < filed_in_country.filed_on
                or (filed_here.filed_on = filed_in_country.filed_on and filed_here.filing_id <= filed_in_country.filing_id))
                then filed_here.filed_on
            else filed_in_country.filed_on
        end as first_filed_on
    from with_reversals
    left join recognising_places as recognised_here
        on with_reversals.is_creditable
        and with_reversals.methodology_id = recognised_here.methodology_id
        and with_reversals.scenario = recognised_here.scenario
        and with_reversals.reduction_place = recognised_here.place
    left join recognising_places as recognised_in_country
        on with_reversals.is_creditable
        and with_reversals.reduction_country <> with_reversals.reduction_place
        and with_reversals.methodology_id = recognised_in_country.methodology_id
        and with_reversals.scenario = recognised_in_country.scenario
        and with_reversals.reduction_country = recognised_in_country.place
    left join first_filing_by_place_and_month as filed_here
        on with_reversals.is_creditable
        and with_reversals.methodology_id = filed_here.methodology_id
        and with_reversals.scenario = filed_here.scenario
        and with_reversals.reduction_place = filed_here.place
        and with_reversals.activity_month = filed_here.activity_month
    left join first_filing_by_place_and_month as filed_in_country
        on with_reversals.is_creditable
        and with_reversals.reduction_country <> with_reversals.reduction_place
        and with_reversals.methodology_id = filed_in_country.methodology_id
        and with_reversals.scenario = filed_in_country.scenario
        and with_reversals.reduction_country = filed_in_country.place
        and with_reversals.activity_month = filed_in_country.activity_month

),

filed as (

    select
        *,
        {#- The first filing is the only one that can precede a reversal, if any does. -#}
        case
            when is_exchange_eligible and (reversed_on is null or reversed_on > first_filed_on) then first_filing_id
        end as filing_id,
        case
            when is_exchange_eligible and (reversed_on is null or reversed_on > first_filed_on) then first_filed_on
        end as filed_on
    from eligibility

),

-- decisions -------------------------------------------------------------------------------------------

decided as (

    select
        event_id,
        activity_month,
        case when starts_claim = 0 then original_event_id end as duplicate_of_event_id,
        case
            when starts_claim = 0 then 'rejected'
            when method = 'redemption' and measure_reason is null then 'redeemed'
            when measure_reason is not null then 'rejected'
            when allowed <= 0 then 'rejected'
            when capped_by is not null then 'credited_partly'
            else 'credited'
        end as claim_status,
        case
            when starts_claim = 0 then 'duplicate_fingerprint'
            when measure_reason is not null then measure_reason
            when method = 'redemption' then null
            else cap_reason
        end as reject_reason,
        case when starts_claim = 0 then concat('the same ', fingerprint_class, ' as event ', original_event_id) end
            as duplicate_detail,
        case when starts_claim = 0 then original_channel_and_scenario end as original_channel_and_scenario,
        {#- A duplicate's original and its filing, found by its group (one more pass, no self-join; left out
            when the policy files nothing). -#}
        {% if any_filing -%}
        case when starts_claim = 0 then max(filing_id) over (partition by account_id, coalesce(original_event_id, event_id)) end
        {%- else -%}
        cast(null as {{ dbt.type_string() }})
        {%- endif %} as original_filing_id,
        case when starts_claim = 1 and not (method = 'redemption' and measure_reason is null) and measure_reason is not null
            then day_quantity end as day_quantity,
        case when starts_claim = 1 and measure_reason is not null then baseline_readings end as baseline_readings,
        case when starts_claim = 1 and (is_creditable or measure_reason is not null or method = 'redemption')
            then baseline_quantity end as baseline_quantity,
        case when starts_claim = 1 and (is_creditable or measure_reason is not null or method = 'redemption')
            then avoided_quantity end as avoided_quantity,
        case when starts_claim = 1 then implied_speed_kmh end as implied_speed_kmh,
        case when is_creditable then g_co2e_gross else 0.0 end as g_co2e_gross,
        case when is_creditable then g_co2e_credited else 0.0 end as g_co2e_credited,
        case when is_creditable then quantity_credited else 0.0 end as quantity_credited,
        case when is_creditable then capped_by end as capped_by,
        case when is_creditable then points_rule_version end as points_rule_version,
        case when is_creditable then g_co2e_per_point end as g_co2e_per_point,
        case when is_creditable then campaign_id end as campaign_id,
        case when is_creditable then points_multiplier end as points_multiplier,
        case when is_creditable then points else cast(0 as bigint) end as points,
        case when is_creditable then g_co2e_already_in_inventory else 0.0 end as g_co2e_already_in_inventory,
        case when is_creditable then is_exchange_eligible else false end as is_exchange_eligible,
        case when is_creditable then filing_id end as filing_id,
        case when is_creditable then filed_on end as filed_on,
        case when is_creditable then reversed_on end as reversed_on,
        case when is_creditable then reversal_reason end as reversal_reason
    from filed

),

{% set claim_columns = [
    'event_id', 'account_id', 'scenario', 'behaviour_code', 'channel', 'occurred_at', 'local_date',
    'activity_month', 'reporting_year', 'quantity', 'unit', 'quantity_canonical', 'unit_canonical',
    'methodology_id', 'methodology_version', 'method', 'fingerprint_class', 'entity_id', 'facility_id',
    'reduction_place', 'source_file', 'source_row'
] %}

final as (

    {#- An event with no decision row was rejected early (int_account_events_prepared.first_reject_reason). -#}
    select
        {% for c in claim_columns %}events_in_window.{{ c }},
        {% endfor -%}
        decided.duplicate_of_event_id,
        coalesce(decided.claim_status, 'rejected') as claim_status,
        case
            when decided.event_id is null then events_in_window.first_reject_reason
            when decided.original_filing_id is not null then 'already_transferred_to_exchange'
            else decided.reject_reason
        end as reject_reason,
        case
            when decided.event_id is null then events_in_window.first_reject_detail
            when decided.original_filing_id is not null
                then concat(decided.duplicate_detail, ', already transferred in filing ', decided.original_filing_id)
            when decided.duplicate_detail is not null then concat(decided.duplicate_detail, decided.original_channel_and_scenario)
            when decided.reject_reason = 'implausible_daily_total'
                then concat(cast(decided.day_quantity as {{ dbt.type_string() }}), ' ', events_in_window.unit_canonical,
                            ' in a day exceeds ', cast(events_in_window.max_quantity_per_day as {{ dbt.type_string() }}))
            when decided.reject_reason = 'implausible_speed'
                then concat(cast(round(decided.implied_speed_kmh, 1) as {{ dbt.type_string() }}),
                            ' km/h since the previous trip exceeds ', cast(events_in_window.max_speed_kmh as {{ dbt.type_string() }}))
            when decided.reject_reason = 'baseline_incomplete'
                then concat(cast(decided.baseline_readings as {{ dbt.type_string() }}), ' earlier readings, ',
                            cast(events_in_window.baseline_periods as {{ dbt.type_string() }}), ' needed')
            when decided.reject_reason = 'no_saving_against_own_baseline'
                then concat('reading ', cast(events_in_window.quantity_canonical as {{ dbt.type_string() }}),
                            ' is not below the own mean ', cast(decided.baseline_quantity as {{ dbt.type_string() }}))
            when decided.reject_reason = 'nothing_to_credit' then 'the methodology gives nothing for this quantity'
            when decided.reject_reason = 'daily_cap_reached'
                then concat('daily cap of ', cast(events_in_window.daily_cap as {{ dbt.type_string() }}), ' ',
                            events_in_window.cap_unit, ' already reached')
            when decided.reject_reason = 'monthly_cap_reached'
                then concat('monthly cap of ', cast(events_in_window.monthly_cap as {{ dbt.type_string() }}), ' ',
                            events_in_window.cap_unit, ' already reached')
        end as reject_detail,
        decided.baseline_quantity,
        decided.avoided_quantity,
        decided.implied_speed_kmh,
        coalesce(decided.g_co2e_gross, 0.0) as g_co2e_gross,
        coalesce(decided.g_co2e_credited, 0.0) as g_co2e_credited,
        coalesce(decided.quantity_credited, 0.0) as quantity_credited,
        decided.capped_by,
        decided.points_rule_version,
        decided.g_co2e_per_point,
        decided.campaign_id,
        decided.points_multiplier,
        case
            when decided.event_id is null then cast(0 as bigint)
            {#- A redemption spends its whole points (whole by int_account_events_prepared's check). -#}
            when decided.claim_status = 'redeemed'
                then cast(-1 * events_in_window.quantity_canonical * events_in_window.points_per_unit as bigint)
            else decided.points
        end as points,
        coalesce(decided.g_co2e_already_in_inventory, 0.0) as g_co2e_already_in_inventory,
        coalesce(decided.is_exchange_eligible, false) as is_exchange_eligible,
        decided.filing_id,
        decided.filed_on,
        decided.reversed_on,
        decided.reversal_reason,
        policy_settings.policy_sha256
    from events_in_window
    left join decided
        on events_in_window.event_id = decided.event_id
        and events_in_window.activity_month = decided.activity_month
    cross join policy_settings

)

select * from final
{% endmacro %}

{#-
  How many slices the claims are computed in: one per `account_claims_slice_events` events the run reads
  (dbt var, else CARBONLEDGER_CLAIMS_SLICE_EVENTS, else 10,000,000: what the 5 GB memory limit sorts
  without spilling), so each slice's window passes stay within DuckDB's memory limit instead of sorting
  on disk (docs/benchmarks.md). DuckDB only; Spark computes the claims in one statement.
-#}
{% macro account_claims_slices() %}
    {%- if not execute or target.type != 'duckdb' -%}{{ return(1) }}{%- endif -%}
    {%- set per_slice = var('account_claims_slice_events', env_var('CARBONLEDGER_CLAIMS_SLICE_EVENTS', '10000000')) | int -%}
    {%- set rows = run_query("select count(*) from " ~ ref('stg_behaviour') ~ " where "
                              ~ account_run_window('activity_month')) -%}
    {{ return([1, ((rows.columns[0].values()[0] + per_slice - 1) // per_slice) | int] | max) }}
{% endmacro %}

{#-
  The prepared behaviour events (int_account_events_prepared) of which `where` keeps the events (a condition on
  stg_behaviour's columns). On DuckDB the model's SELECT with `where` applied first (account_events_prepared: a
  filter on the view is not pushed below its joins, so every slice prepared every event, twice); elsewhere the
  model, filtered.
-#}
{% macro account_prepared_events(where) -%}
    {%- if target.type == 'duckdb' -%}
    ({{ account_events_prepared(where) }})
    {%- else -%}
    (select * from {{ ref('int_account_events_prepared') }} where {{ where }})
    {%- endif -%}
{%- endmacro %}

{#- The accounts of one slice (all accounts when there is one). -#}
{% macro account_claims_slice_filter(account_id, slice_index, slice_count) -%}
    {%- if slice_count > 1 -%}hash({{ account_id }}) % {{ slice_count }} = {{ slice_index }}{%- else -%}1 = 1{%- endif -%}
{%- endmacro %}

{#-
  What the first slice was computed with, kept for the others: whether the run is incremental, the years
  computed under another policy and the number of slices. The post-hook renders after the pre-hook has
  deleted the run's months (so policy_changed_years() would find none) and after the first slice created
  the table (so is_incremental() would be true on a first build): read there, the other slices would
  cover another window, or be cut by another slice count. The first pre-hook writes the plan to a small
  table beside the model; the post-hook reads it and drops it.
-#}
{% macro account_claims_plan_relation() %}
    {{ return(this.incorporate(path={'identifier': this.identifier ~ '__run_plan'})) }}
{% endmacro %}

{% macro account_claims_record_run_plan() -%}
    {%- if target.type == 'duckdb' -%}
    create or replace table {{ account_claims_plan_relation() }} as select
        {{ 'true' if is_incremental() else 'false' }} as incremental,
        '{{ policy_changed_years() | join(",") }}' as policy_changed_years,
        {{ account_claims_slices() }} as slice_count
    {%- endif -%}
{%- endmacro %}

{% macro account_claims_run_plan() %}
    {%- set row = run_query("select incremental, policy_changed_years, slice_count from "
                             ~ account_claims_plan_relation()).rows[0] -%}
    {{ return({'incremental': row[0], 'years': row[1].split(',') if row[1] else [], 'slice_count': row[2] | int}) }}
{% endmacro %}

{#- Post-hook: the slices after the first, inserted one after the other (the model's SELECT is the first). -#}
{% macro account_claims_insert_other_slices() -%}
    {%- if execute and target.type == 'duckdb' -%}
    {%- set plan = account_claims_run_plan() -%}
    {%- for slice_index in range(1, plan.slice_count) %}
    insert into {{ this }} by name select * from ({{ account_claims_select(slice_index, plan.slice_count, plan) }}) as other_slice;
    {%- endfor %}
    drop table {{ account_claims_plan_relation() }};
    {%- endif -%}
{%- endmacro %}
