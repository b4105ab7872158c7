{#-
  Site energy with the factors the policy pins: Scope 1 stationary fuels (per gas), Scope 2
  location-based electricity and purchased heat, steam and cooling. Rows without a factor are kept
  with the reason (fct_activity_without_factor lists them; they are never zeroed).
-#}
with activity as (

    select * from {{ ref('int_energy_activity_rows') }}

),

with_factors as (

    select * from {{ apply_pinned_factors('activity') }}

),

final as (

    select * from with_factors

)

select * from final
