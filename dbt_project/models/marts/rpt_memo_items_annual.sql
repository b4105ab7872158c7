{#-
  Reported beside the inventory, never inside the scopes: ozone-depleting refrigerants controlled by
  the Montreal Protocol (e.g. HCFC-22, in t CO2e with the policy's GWP set) and biogenic CO2.
-#}
with refrigerants as (

    select * from {{ ref('int_refrigerants_joined_to_gwp') }}
    where category = 'memo_montreal_protocol_gases' and missing_factor_reason is null

),

energy as (

    select * from {{ ref('int_energy_joined_to_factors') }}
    where gas = 'CO2_biogenic' and missing_factor_reason is null

),

fleet as (

    select * from {{ ref('int_fleet_joined_to_factors') }}
    where gas = 'CO2_biogenic' and missing_factor_reason is null

),

items as (

    select reporting_year, entity_id, 'montreal_protocol_gases' as memo_item, gas, quantity, quantity_unit, t_co2e
    from refrigerants
    union all
    select reporting_year, entity_id, 'biogenic_co2' as memo_item, gas, quantity, quantity_unit, t_co2e
    from energy
    union all
    select reporting_year, entity_id, 'biogenic_co2' as memo_item, gas, quantity, quantity_unit, t_co2e
    from fleet

),

final as (

    select
        reporting_year,
        entity_id,
        memo_item,
        gas,
        sum(quantity) as quantity,
        max(quantity_unit) as quantity_unit,
        sum(t_co2e) as t_co2e
    from items
    group by reporting_year, entity_id, memo_item, gas

)

select * from final
