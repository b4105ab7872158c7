{#-
  The methodology registry in force: the shipped versions (seed account_methodologies) and the ones
  the policy adds (accounts.methodologies, "configuration only"), with their factors resolved to
  g CO2e per unit and the window each is in force. For one behaviour code, a methodology (or a new
  version) applies from its valid_from until the next one starts (or its valid_to): events are
  quantified by the version of their local day, so a new version never rewrites history.
-#}
{% set columns = [
    'methodology_id', 'version', 'behaviour_code', 'scenario', 'description', 'method', 'unit',
    'quantity_factor_id', 'baseline_factor_id', 'alternative_factor_id', 'baseline_periods', 'points_per_unit',
    'daily_cap', 'monthly_cap', 'cap_unit', 'max_quantity_per_event', 'max_quantity_per_day', 'max_speed_kmh',
    'fingerprint_class', 'duplicate_window_minutes', 'eligibility_rule', 'eligibility', 'approval_status',
    'inventory_category', 'inventory_overlap_rule', 'inventory_overlap_share', 'valid_from', 'valid_to', 'source'
] %}

with shipped as (

    select * from {{ ref('account_methodologies') }}

),

configured as (

    select * from {{ ref('stg_policy_account_methodologies') }}

),

factors as (

    select * from {{ ref('int_account_factors') }}

),

unioned as (

    select {{ columns | join(', ') }}, false as is_configured from shipped
    union all
    select {{ columns | join(', ') }}, true as is_configured from configured

),

factors_resolved as (

    select
        unioned.*,
        quantity_factors.value as quantity_factor,
        baseline_factors.value as baseline_factor,
        alternative_factors.value as alternative_factor,
        baseline_factors.status as baseline_factor_status
    from unioned
    left join factors as quantity_factors
        on unioned.quantity_factor_id = quantity_factors.factor_id
    left join factors as baseline_factors
        on unioned.baseline_factor_id = baseline_factors.factor_id
    left join factors as alternative_factors
        on unioned.alternative_factor_id = alternative_factors.factor_id

),

next_in_line as (

    select
        *,
        lead(valid_from) over (partition by behaviour_code order by valid_from, methodology_id, version) as next_valid_from
    from factors_resolved

),

final as (

    select
        methodology_id,
        version as methodology_version,
        behaviour_code,
        scenario,
        description,
        method,
        unit,
        method in ('fixed_per_unit', 'substitution', 'own_baseline') as is_quantified,
        quantity_factor_id,
        baseline_factor_id,
        alternative_factor_id,
        quantity_factor,
        baseline_factor,
        alternative_factor,
        baseline_factor_status,
        case
            when method in ('fixed_per_unit', 'substitution', 'own_baseline')
                then coalesce(quantity_factor, 1.0) * (baseline_factor - coalesce(alternative_factor, 0.0))
        end as g_co2e_per_unit,
        baseline_periods,
        points_per_unit,
        daily_cap,
        monthly_cap,
        cap_unit,
        max_quantity_per_event,
        max_quantity_per_day,
        max_speed_kmh,
        coalesce(fingerprint_class, behaviour_code) as fingerprint_class,
        duplicate_window_minutes,
        eligibility_rule,
        eligibility,
        approval_status,
        inventory_category,
        inventory_overlap_rule,
        coalesce(inventory_overlap_share, 1.0) as inventory_overlap_share,
        valid_from,
        valid_to,
        {#- In force on local days valid_from <= day < valid_until (null: open-ended). -#}
        case
            when valid_to is not null and (next_valid_from is null or valid_to < next_valid_from)
                then cast({{ dbt.dateadd('day', 1, 'valid_to') }} as date)
            else next_valid_from
        end as valid_until,
        source,
        is_configured
    from next_in_line

)

select * from final
