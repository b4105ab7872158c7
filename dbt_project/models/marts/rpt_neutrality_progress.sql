{#-
  The road to operational carbon neutrality. Gross operational emissions = Scope 1 + Scope 2 (the
  headline method) + the policy's operational Scope 3 categories, for the group (consolidated). Credits
  retired for the group and the year are shown separately and give the net figure; they are never
  netted into gross figures elsewhere. The target path is linear from the base year's gross to
  gross_operational_target_pct_of_base of it in the neutrality year (policy "targets").
-#}
with inventory as (

    select * from {{ ref('rpt_ghg_inventory_annual') }}

),

credits as (

    select * from {{ ref('int_carbon_credits_validated') }}

),

categories as (

    select * from {{ ref('stg_policy_scope3_categories') }}

),

settings as (

    select
        max(case when setting = 'scope2_headline_method' then value end) as headline_method,
        cast(max(case when setting = 'base_year' then value end) as integer) as base_year,
        cast(max(case when setting = 'neutrality_year' then value end) as integer) as neutrality_year,
        cast(max(case when setting = 'gross_operational_target_pct_of_base' then value end) as double) as target_pct,
        max(policy_sha256) as policy_sha256
    from {{ ref('stg_policy_settings') }}

),

gross as (

    select
        inventory.reporting_year,
        sum(inventory.t_co2e) as t_co2e_gross_operational,
        sum(case when inventory.scope = 1 then inventory.t_co2e else 0 end) as t_co2e_scope1,
        sum(case when inventory.scope = 2 then inventory.t_co2e else 0 end) as t_co2e_scope2,
        sum(case when inventory.scope = 3 then inventory.t_co2e else 0 end) as t_co2e_scope3_operational
    from inventory
    cross join settings
    left join categories
        on inventory.category = categories.category
    where inventory.is_group_total
        and (
            inventory.scope = 1
            or (inventory.scope = 2 and inventory.scope2_method = settings.headline_method)
            or (inventory.scope = 3 and coalesce(categories.is_operational, false))
        )
    group by inventory.reporting_year

),

retired as (

    select
        retired_for_year as reporting_year,
        sum(tonnes) as t_co2e_credits_retired,
        sum(case when credit_type = 'removal' then tonnes else 0 end) as t_co2e_removal_credits_retired
    from credits
    where not_counted_reason is null
    group by retired_for_year

),

base as (

    select gross.t_co2e_gross_operational as t_co2e_base_year
    from gross
    cross join settings
    where gross.reporting_year = settings.base_year

),

final as (

    select
        gross.reporting_year,
        gross.t_co2e_scope1,
        gross.t_co2e_scope2,
        gross.t_co2e_scope3_operational,
        gross.t_co2e_gross_operational,
        coalesce(retired.t_co2e_credits_retired, 0) as t_co2e_credits_retired,
        coalesce(retired.t_co2e_removal_credits_retired, 0) as t_co2e_removal_credits_retired,
        gross.t_co2e_gross_operational - coalesce(retired.t_co2e_credits_retired, 0) as t_co2e_net,
        settings.headline_method,
        settings.base_year,
        settings.neutrality_year,
        base.t_co2e_base_year,
        case
            when base.t_co2e_base_year is null or gross.reporting_year < settings.base_year then cast(null as double)
            when gross.reporting_year >= settings.neutrality_year then base.t_co2e_base_year * settings.target_pct / 100.0
            else base.t_co2e_base_year * (1 - (1 - settings.target_pct / 100.0)
                * (gross.reporting_year - settings.base_year) / (settings.neutrality_year - settings.base_year))
        end as target_path_t_co2e,
        case when base.t_co2e_base_year > 0
            then (gross.t_co2e_gross_operational / base.t_co2e_base_year - 1) * 100.0 end as change_from_base_year_pct,
        settings.policy_sha256
    from gross
    cross join settings
    left join base
        on 1 = 1
    left join retired
        on gross.reporting_year = retired.reporting_year

)

select * from final
