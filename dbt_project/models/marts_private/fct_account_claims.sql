{#-
  Every behaviour event as a claim, with its decision: credited (in full or in part, with the grams,
  the points and the rule that made them), redeemed (points spent), or rejected with a reason.
  Per account (pseudonymous), so it lives in marts_private, apart from what the TCFD report reads.

  Order of the checks (docs/methodology.md, "Carbon accounts"):
    1. int_account_events_prepared: methodology in force, scenario, unit, eligibility, per-event limit;
    2. duplicates: claims of one fingerprint class by one account on one local day that follow the
       previous one within the class's window are the same claim (the first is kept);
    3. plausibility: the day's total, and the speed implied by the time since the previous trip;
    4. own baseline: the reading against the mean of the account's previous N readings;
    5. caps on grams (or units): daily, then monthly, in time order;
    6. points: the points rule of the day, times the best campaign multiplier (points only);
    7. what is already in the inventory, exchange eligibility and the filing that transferred it.
  Month-partitioned and incremental (months from the run's first month on are rebuilt).

  Speed: steps 2 to 5 are window functions, each a sort of every claim. They run on a narrow projection
  (the keys, the order and the few figures and limits they read); the descriptive columns are joined back
  once per outcome by (event_id, activity_month). At 10% of the group this took the model from about
  350 s to see docs/benchmarks.md.
-#}
{{ config(
    materialized='incremental',
    schema='marts_private',
    on_schema_change='append_new_columns',
    tags=['monthly'],
    pre_hook="{{ account_delete_run_window() }}",
    **monthly_incremental_config()
) }}

with prepared as (

    {#- The run's months, plus the history own baselines need. -#}
    select * from {{ ref('int_account_events_prepared') }}
    where {{ account_run_window() }} or method = 'own_baseline'

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

monthly_capped_behaviours as (

    select distinct behaviour_code from {{ ref('int_account_methodologies') }} where monthly_cap is not null

),

-- 2. duplicates ---------------------------------------------------------------------------------

valid as (

    {#- Only what steps 2 to 5 read: every window below sorts these columns, not the wide event. -#}
    select
        event_id, activity_month, account_id, fingerprint_class, behaviour_code, local_date, occurred_at,
        quantity_canonical, method, is_quantified, g_co2e_per_unit, duplicate_window_minutes,
        max_quantity_per_day, max_speed_kmh, baseline_periods, daily_cap, monthly_cap, cap_unit
    from prepared
    where first_reject_reason is null

),

previous_claims as (

    select
        *,
        lag(occurred_at) over (
            partition by account_id, fingerprint_class, local_date order by occurred_at, event_id
        ) as previous_claim_at
    from valid

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

claim_numbers as (

    select
        *,
        sum(starts_claim) over (
            partition by account_id, fingerprint_class, local_date order by occurred_at, event_id
            rows between unbounded preceding and current row
        ) as claim_number
    from claim_starts

),

deduplicated as (

    select * from claim_numbers

),

-- 3. plausibility of the unique claims ----------------------------------------------------------

unique_claims as (

    select * from deduplicated where starts_claim = 1

),

day_context as (

    select
        *,
        sum(quantity_canonical) over (partition by account_id, behaviour_code, local_date) as day_quantity,
        lag(occurred_at) over (
            partition by account_id, behaviour_code, local_date order by occurred_at, event_id
        ) as previous_trip_at
    from unique_claims

),

speeds as (

    select
        *,
        case
            when max_speed_kmh is not null and previous_trip_at is not null
                and {{ account_epoch_seconds('occurred_at') }} > {{ account_epoch_seconds('previous_trip_at') }}
                then quantity_canonical * 3600.0
                    / ({{ account_epoch_seconds('occurred_at') }} - {{ account_epoch_seconds('previous_trip_at') }})
        end as implied_speed_kmh
    from day_context

),

plausibility as (

    select
        *,
        case
            when max_quantity_per_day is not null and day_quantity > max_quantity_per_day then 'implausible_daily_total'
            when implied_speed_kmh > max_speed_kmh then 'implausible_speed'
        end as plausibility_reason
    from speeds

),

-- 4. own baselines --------------------------------------------------------------------------------

readings as (

    select
        *,
        row_number() over (partition by account_id, behaviour_code order by occurred_at, event_id) as reading_number
    from plausibility
    where method = 'own_baseline' and plausibility_reason is null

),

baselines as (

    select
        current_reading.event_id,
        current_reading.activity_month,
        {#- Rounded to 9 decimals: engines (and two runs of one) add the readings in different orders, and
            a reading equal to its own mean must not flip between "no saving" and a saving of 1e-16. -#}
        round(avg(earlier.quantity_canonical), 9) as baseline_quantity,
        count(*) as baseline_readings
    from readings as current_reading
    inner join readings as earlier
        on current_reading.account_id = earlier.account_id
        and current_reading.behaviour_code = earlier.behaviour_code
        and earlier.reading_number between current_reading.reading_number - current_reading.baseline_periods
            and current_reading.reading_number - 1
    group by current_reading.event_id, current_reading.activity_month

),

measured as (

    select
        plausibility.*,
        baselines.baseline_quantity,
        coalesce(baselines.baseline_readings, 0) as baseline_readings,
        case
            when plausibility.method = 'own_baseline'
                then greatest(coalesce(baselines.baseline_quantity, 0) - plausibility.quantity_canonical, 0)
            when plausibility.is_quantified then plausibility.quantity_canonical
        end as avoided_quantity,
        case
            when plausibility.plausibility_reason is not null then plausibility.plausibility_reason
            when plausibility.method = 'own_baseline' and coalesce(baselines.baseline_readings, 0) < plausibility.baseline_periods
                then 'baseline_incomplete'
            when plausibility.method = 'own_baseline'
                and baselines.baseline_quantity <= round(plausibility.quantity_canonical, 9)
                then 'no_saving_against_own_baseline'
        end as measure_reason
    from plausibility
    left join baselines
        on plausibility.event_id = baselines.event_id
        and plausibility.activity_month = baselines.activity_month

),

-- 5. caps -------------------------------------------------------------------------------------------

creditable as (

    select
        *,
        case when is_quantified then avoided_quantity * g_co2e_per_unit else 0.0 end as g_co2e_gross,
        case
            when cap_unit = 'unit' then case when method = 'points_only' then quantity_canonical else avoided_quantity end
            when is_quantified then avoided_quantity * g_co2e_per_unit
            else quantity_canonical
        end as cap_measure
    from measured
    where measure_reason is null and method <> 'redemption'

),

daily_capped as (

    select
        *,
        case
            when daily_cap is null then cap_measure
            else greatest(0.0, least(cap_measure, daily_cap - coalesce(sum(cap_measure) over (
                partition by account_id, behaviour_code, local_date order by occurred_at, event_id
                rows between unbounded preceding and 1 preceding
            ), 0.0)))
        end as allowed_in_day
    from creditable

),

monthly_capped as (

    {#- The monthly window runs only over behaviours that have a monthly cap in some version (whole
        partitions, since behaviour_code is in the partition key); the others keep allowed_in_day. -#}
    select *, allowed_in_day as allowed
    from daily_capped
    where behaviour_code not in (select behaviour_code from monthly_capped_behaviours)

    union all

    select
        *,
        case
            when monthly_cap is null then allowed_in_day
            else greatest(0.0, least(allowed_in_day, monthly_cap - coalesce(sum(allowed_in_day) over (
                partition by account_id, behaviour_code, activity_month order by occurred_at, event_id
                rows between unbounded preceding and 1 preceding
            ), 0.0)))
        end as allowed
    from daily_capped
    where behaviour_code in (select behaviour_code from monthly_capped_behaviours)

),

credited_narrow as (

    select
        *,
        case when cap_measure > 0 then allowed / cap_measure else 0.0 end as credited_share,
        case
            when cap_measure <= 0 then 'nothing_to_credit'
            when allowed <= 0 and allowed_in_day <= 0 then 'daily_cap_reached'
            when allowed <= 0 then 'monthly_cap_reached'
        end as cap_reason,
        case
            when allowed > 0 and allowed_in_day < cap_measure - 1e-9 then 'daily_cap'
            when allowed > 0 and allowed < cap_measure - 1e-9 then 'monthly_cap'
        end as capped_by
    from monthly_capped

),

credited_amounts as (

    {#- The credited and capped claims with their descriptive columns back (one join, no sort). -#}
    select
        prepared.*,
        credited_narrow.implied_speed_kmh,
        credited_narrow.baseline_quantity,
        credited_narrow.avoided_quantity,
        credited_narrow.g_co2e_gross,
        credited_narrow.cap_measure,
        credited_narrow.allowed_in_day,
        credited_narrow.allowed,
        credited_narrow.credited_share,
        credited_narrow.cap_reason,
        credited_narrow.capped_by
    from credited_narrow
    inner join prepared
        on credited_narrow.event_id = prepared.event_id
        and credited_narrow.activity_month = prepared.activity_month

),

-- 6. points -----------------------------------------------------------------------------------------

campaign_matches as (

    select
        credited_amounts.event_id,
        credited_amounts.activity_month,
        campaigns.campaign_id,
        campaigns.multiplier,
        row_number() over (
            partition by credited_amounts.event_id, credited_amounts.activity_month
            order by campaigns.multiplier desc, campaigns.campaign_id
        ) as preference
    from credited_amounts
    inner join campaigns
        on (campaigns.scenario = '*' or campaigns.scenario = credited_amounts.scenario)
        and (campaigns.behaviour_code = '*' or campaigns.behaviour_code = credited_amounts.behaviour_code)
        and credited_amounts.local_date between campaigns.start_date and campaigns.end_date

),

pointed as (

    select
        credited_amounts.*,
        credited_amounts.g_co2e_gross * credited_amounts.credited_share as g_co2e_credited,
        case
            when credited_amounts.method = 'points_only' then credited_amounts.quantity_canonical
            else credited_amounts.avoided_quantity
        end * credited_amounts.credited_share as quantity_credited,
        points_rules.points_rule_version,
        points_rules.g_co2e_per_point,
        campaign_matches.campaign_id,
        coalesce(campaign_matches.multiplier, 1.0) as points_multiplier
    from credited_amounts
    left join points_rules
        on credited_amounts.local_date >= points_rules.valid_from
        and (points_rules.valid_until is null or credited_amounts.local_date < points_rules.valid_until)
    left join campaign_matches
        on credited_amounts.event_id = campaign_matches.event_id
        and credited_amounts.activity_month = campaign_matches.activity_month
        and campaign_matches.preference = 1

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
        end * points_computed.inventory_overlap_share * coalesce(boundary.consolidation_share, 0.0) as inventory_fraction
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

recognised_claims as (

    {#- The schemes that recognise the claim's methodology for its scenario and its place (a scheme's
        country covers its subdivisions: CN covers CN-GD). -#}
    select distinct
        with_reversals.event_id,
        with_reversals.activity_month,
        schemes.scheme_id
    from with_reversals
    inner join schemes
        on with_reversals.methodology_id = schemes.methodology_id
        and (schemes.scenario = '*' or schemes.scenario = with_reversals.scenario)
        and (with_reversals.reduction_place = schemes.place
             or with_reversals.reduction_place like concat(schemes.place, '-%'))

),

recognised_anywhere as (

    select distinct event_id, activity_month from recognised_claims

),

eligibility as (

    select
        with_reversals.*,
        {#- Filed only if nothing of it is in the inventory, the receiving scheme recognises the
            methodology and this version is recognised or approved (not an internal, unverified one). -#}
        with_reversals.g_co2e_credited > 0
            and with_reversals.g_co2e_already_in_inventory = 0
            and with_reversals.approval_status in ('exchange_recognised', 'government_approved')
            and recognised_anywhere.event_id is not null as is_exchange_eligible
    from with_reversals
    left join recognised_anywhere
        on with_reversals.event_id = recognised_anywhere.event_id
        and with_reversals.activity_month = recognised_anywhere.activity_month

),

filing_candidates as (

    select
        eligibility.event_id,
        eligibility.activity_month,
        filings.filing_id,
        filings.filed_on,
        row_number() over (
            partition by eligibility.event_id, eligibility.activity_month order by filings.filed_on, filings.filing_id
        ) as preference
    from eligibility
    inner join recognised_claims
        on eligibility.event_id = recognised_claims.event_id
        and eligibility.activity_month = recognised_claims.activity_month
    inner join filings
        on recognised_claims.scheme_id = filings.scheme_id
        and eligibility.activity_month between filings.period_start_month and filings.period_end_month
    where eligibility.is_exchange_eligible
        and (eligibility.reversed_on is null or eligibility.reversed_on > filings.filed_on)

),

credited as (

    select
        eligibility.*,
        filing_candidates.filing_id,
        filing_candidates.filed_on
    from eligibility
    left join filing_candidates
        on eligibility.event_id = filing_candidates.event_id
        and eligibility.activity_month = filing_candidates.activity_month
        and filing_candidates.preference = 1

),

-- decisions -------------------------------------------------------------------------------------------

{% set claim_columns = [
    'event_id', 'account_id', 'scenario', 'behaviour_code', 'channel', 'occurred_at', 'local_date',
    'activity_month', 'reporting_year', 'quantity', 'unit', 'quantity_canonical', 'unit_canonical',
    'methodology_id', 'methodology_version', 'method', 'fingerprint_class', 'entity_id', 'facility_id',
    'reduction_place', 'source_file', 'source_row'
] %}

rejected_early as (

    select
        {{ claim_columns | join(', ') }},
        cast(null as {{ dbt.type_string() }}) as duplicate_of_event_id,
        'rejected' as claim_status,
        first_reject_reason as reject_reason,
        first_reject_detail as reject_detail,
        cast(null as double) as baseline_quantity,
        cast(null as double) as avoided_quantity,
        cast(null as double) as implied_speed_kmh,
        cast(0 as double) as g_co2e_gross,
        cast(0 as double) as g_co2e_credited,
        cast(0 as double) as quantity_credited,
        cast(null as {{ dbt.type_string() }}) as capped_by,
        cast(null as integer) as points_rule_version,
        cast(null as double) as g_co2e_per_point,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as double) as points_multiplier,
        cast(0 as bigint) as points,
        cast(0 as double) as g_co2e_already_in_inventory,
        false as is_exchange_eligible,
        cast(null as {{ dbt.type_string() }}) as filing_id,
        cast(null as date) as filed_on,
        cast(null as date) as reversed_on,
        cast(null as {{ dbt.type_string() }}) as reversal_reason
    from prepared
    where first_reject_reason is not null

),

duplicate_claims as (

    {#- A duplicate's original is the one claim of its group that starts it (a join on the few duplicates
        instead of another window over every claim). -#}
    select prepared.*, claim_start.event_id as first_event_id
    from deduplicated as duplicate
    inner join deduplicated as claim_start
        on duplicate.account_id = claim_start.account_id
        and duplicate.fingerprint_class = claim_start.fingerprint_class
        and duplicate.local_date = claim_start.local_date
        and duplicate.claim_number = claim_start.claim_number
        and claim_start.starts_claim = 1
    inner join prepared
        on duplicate.event_id = prepared.event_id
        and duplicate.activity_month = prepared.activity_month
    where duplicate.starts_claim = 0

),

duplicates as (

    select
        {% for c in claim_columns %}deduplicated.{{ c }}, {% endfor %}
        deduplicated.first_event_id as duplicate_of_event_id,
        'rejected' as claim_status,
        case when original.filing_id is not null then 'already_transferred_to_exchange' else 'duplicate_fingerprint' end
            as reject_reason,
        case
            when original.filing_id is not null
                then concat('the same ', deduplicated.fingerprint_class, ' as event ', deduplicated.first_event_id,
                            ', already transferred in filing ', original.filing_id)
            else concat('the same ', deduplicated.fingerprint_class, ' as event ', deduplicated.first_event_id,
                        ' (channel ', original_claim.channel, ', scenario ', original_claim.scenario, ')')
        end as reject_detail,
        cast(null as double) as baseline_quantity,
        cast(null as double) as avoided_quantity,
        cast(null as double) as implied_speed_kmh,
        cast(0 as double) as g_co2e_gross,
        cast(0 as double) as g_co2e_credited,
        cast(0 as double) as quantity_credited,
        cast(null as {{ dbt.type_string() }}) as capped_by,
        cast(null as integer) as points_rule_version,
        cast(null as double) as g_co2e_per_point,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as double) as points_multiplier,
        cast(0 as bigint) as points,
        cast(0 as double) as g_co2e_already_in_inventory,
        false as is_exchange_eligible,
        cast(null as {{ dbt.type_string() }}) as filing_id,
        cast(null as date) as filed_on,
        cast(null as date) as reversed_on,
        cast(null as {{ dbt.type_string() }}) as reversal_reason
    from duplicate_claims as deduplicated
    inner join prepared as original_claim
        on deduplicated.first_event_id = original_claim.event_id
        and deduplicated.activity_month = original_claim.activity_month
    left join credited as original
        on deduplicated.first_event_id = original.event_id
        and deduplicated.activity_month = original.activity_month

),

unmeasured_claims as (

    select
        prepared.*,
        measured.measure_reason,
        measured.day_quantity,
        measured.implied_speed_kmh,
        measured.baseline_readings,
        measured.baseline_quantity,
        measured.avoided_quantity
    from measured
    inner join prepared
        on measured.event_id = prepared.event_id
        and measured.activity_month = prepared.activity_month
    where measured.measure_reason is not null or measured.method = 'redemption'

),

not_measurable as (

    select
        {{ claim_columns | join(', ') }},
        cast(null as {{ dbt.type_string() }}) as duplicate_of_event_id,
        case when method = 'redemption' and measure_reason is null then 'redeemed' else 'rejected' end as claim_status,
        measure_reason as reject_reason,
        case measure_reason
            when 'implausible_daily_total' then concat(cast(day_quantity as {{ dbt.type_string() }}), ' ', unit_canonical,
                                                       ' in a day exceeds ', cast(max_quantity_per_day as {{ dbt.type_string() }}))
            when 'implausible_speed' then concat(cast(round(implied_speed_kmh, 1) as {{ dbt.type_string() }}),
                                                 ' km/h since the previous trip exceeds ', cast(max_speed_kmh as {{ dbt.type_string() }}))
            when 'baseline_incomplete' then concat(cast(baseline_readings as {{ dbt.type_string() }}), ' earlier readings, ',
                                                   cast(baseline_periods as {{ dbt.type_string() }}), ' needed')
            when 'no_saving_against_own_baseline' then concat('reading ', cast(quantity_canonical as {{ dbt.type_string() }}),
                                                              ' is not below the own mean ', cast(baseline_quantity as {{ dbt.type_string() }}))
        end as reject_detail,
        baseline_quantity,
        avoided_quantity,
        implied_speed_kmh,
        cast(0 as double) as g_co2e_gross,
        cast(0 as double) as g_co2e_credited,
        cast(0 as double) as quantity_credited,
        cast(null as {{ dbt.type_string() }}) as capped_by,
        cast(null as integer) as points_rule_version,
        cast(null as double) as g_co2e_per_point,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as double) as points_multiplier,
        cast(case when method = 'redemption' and measure_reason is null
                  then -1 * quantity_canonical * points_per_unit else 0 end as bigint) as points,
        cast(0 as double) as g_co2e_already_in_inventory,
        false as is_exchange_eligible,
        cast(null as {{ dbt.type_string() }}) as filing_id,
        cast(null as date) as filed_on,
        cast(null as date) as reversed_on,
        cast(null as {{ dbt.type_string() }}) as reversal_reason
    from unmeasured_claims

),

decided as (

    select
        {{ claim_columns | join(', ') }},
        cast(null as {{ dbt.type_string() }}) as duplicate_of_event_id,
        case
            when allowed <= 0 then 'rejected'
            when capped_by is not null then 'credited_partly'
            else 'credited'
        end as claim_status,
        cap_reason as reject_reason,
        case
            when cap_reason = 'nothing_to_credit' then 'the methodology gives nothing for this quantity'
            when cap_reason = 'daily_cap_reached' then concat('daily cap of ', cast(daily_cap as {{ dbt.type_string() }}), ' ', cap_unit, ' already reached')
            when cap_reason = 'monthly_cap_reached' then concat('monthly cap of ', cast(monthly_cap as {{ dbt.type_string() }}), ' ', cap_unit, ' already reached')
        end as reject_detail,
        baseline_quantity,
        avoided_quantity,
        implied_speed_kmh,
        g_co2e_gross,
        g_co2e_credited,
        quantity_credited,
        capped_by,
        points_rule_version,
        g_co2e_per_point,
        campaign_id,
        points_multiplier,
        points,
        g_co2e_already_in_inventory,
        is_exchange_eligible,
        filing_id,
        filed_on,
        reversed_on,
        reversal_reason
    from credited

),

all_claims as (

    select * from rejected_early
    union all
    select * from duplicates
    union all
    select * from not_measurable
    union all
    select * from decided

),

final as (

    select
        all_claims.*,
        policy_settings.policy_sha256
    from all_claims
    cross join policy_settings
    where {{ account_run_window('all_claims.activity_month') }}

)

select * from final
