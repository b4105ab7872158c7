{#-
  Scope 1 fugitive emissions from refrigerant top-ups (what leaked and was replaced), not from the
  charge of new equipment, and not from recovered gas. Blends count from their components (mass
  fraction x the component's GWP in the policy's set). Ozone-depleting gases (HCFCs, CFCs, under the
  Montreal Protocol) are reported as a memo outside Scope 1. A blend component without a GWP in the
  chosen set is an error, listed with the row.
-#}
with refrigerants as (

    select * from {{ ref('stg_refrigerants') }}

),

facilities as (

    select * from {{ ref('int_facilities_mapped_to_grid') }}

),

aliases as (

    select * from {{ ref('refrigerant_aliases') }}

),

blends as (

    select * from {{ ref('refrigerant_blends') }}

),

gwp as (

    select * from {{ ref('gwp_values') }}

),

settings as (

    select max(case when setting = 'gwp_set' then value end) as gwp_set from {{ ref('stg_policy_settings') }}

),

top_ups as (

    select
        refrigerants.*,
        coalesce(aliases.refrigerant, refrigerants.refrigerant) as refrigerant_name
    from refrigerants
    left join aliases
        on upper(replace(replace(trim(refrigerants.refrigerant), ' ', ''), '-', '')) = upper(replace(aliases.alias, '-', ''))
    where refrigerants.event = 'top_up'

),

components as (

    select
        top_ups.record_id,
        top_ups.source_file,
        top_ups.source_row,
        top_ups.refrigerant_name,
        blends.component_gas,
        blends.mass_fraction,
        gwp.gwp100,
        upper(blends.component_gas) like 'HCFC%' or upper(blends.component_gas) like 'CFC%' as is_ozone_depleting
    from top_ups
    cross join settings
    left join blends
        on top_ups.refrigerant_name = blends.refrigerant
    left join gwp
        on blends.component_gas = gwp.gas
        and gwp.gwp_set = settings.gwp_set

),

blend_gwp as (

    select
        record_id,
        source_file,
        source_row,
        sum(mass_fraction * gwp100) as gwp100,
        sum(mass_fraction) as mass_fraction_total,
        count(component_gas) as components,
        sum(case when gwp100 is null then 1 else 0 end) as components_without_gwp,
        max(case when is_ozone_depleting then 1 else 0 end) = 1 as is_ozone_depleting
    from components
    group by record_id, source_file, source_row

),

final as (

    select
        cast(substr(top_ups.activity_month, 1, 4) as integer) as reporting_year,
        top_ups.activity_month,
        facilities.entity_id,
        top_ups.facility_id,
        case when blend_gwp.is_ozone_depleting then cast(null as integer) else 1 end as scope,
        case when blend_gwp.is_ozone_depleting then 'memo_montreal_protocol_gases' else 's1_fugitive' end as category,
        cast(null as {{ dbt.type_string() }}) as scope2_method,
        top_ups.refrigerant_name as gas,
        top_ups.source_file,
        top_ups.source_row,
        top_ups.record_id,
        top_ups.refrigerant_kg as quantity,
        'kg' as quantity_unit,
        {{ dbt.concat(["'gwp_'", "settings.gwp_set"]) }} as factor_set,
        {{ dbt.concat(["'gwp_'", "settings.gwp_set", "'_'", "top_ups.refrigerant_name"]) }} as factor_id,
        1.0 as kg_per_unit,
        blend_gwp.gwp100,
        settings.gwp_set,
        'invoice' as data_source,
        false as is_estimate,
        false as is_geographic_proxy,
        2 as data_quality_score,
        top_ups.refrigerant_kg * blend_gwp.gwp100 / 1000.0 as t_co2e,
        facilities.market_code,
        case
            when blend_gwp.components = 0 then 'unknown_refrigerant'
            when blend_gwp.components_without_gwp > 0 then 'blend_component_without_gwp'
            when abs(blend_gwp.mass_fraction_total - 1.0) > 0.001 then 'blend_fractions_do_not_sum_to_one'
        end as missing_factor_reason,
        'refrigerants' as pin_key
    from top_ups
    cross join settings
    inner join blend_gwp
        on top_ups.record_id = blend_gwp.record_id
        and top_ups.source_file = blend_gwp.source_file
        and top_ups.source_row = blend_gwp.source_row
    left join facilities
        on top_ups.facility_id = facilities.facility_id

)

select * from final
