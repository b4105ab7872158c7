{#- Emissions per year x entity x scope x category x method, split by whether the site is a data centre. -#}
with emissions as (

    select * from {{ ref('fct_emissions') }}

),

facilities as (

    select facility_id, facility_type from {{ ref('stg_org_facilities') }}

),

final as (

    select
        emissions.reporting_year,
        emissions.entity_id,
        emissions.scope,
        emissions.category,
        emissions.scope2_method,
        coalesce(facilities.facility_type = 'data_center', false) as is_data_center,
        sum(emissions.t_co2e) as t_co2e,
        sum(emissions.t_co2e * emissions.data_quality_score) as t_co2e_x_quality_score
    from emissions
    left join facilities
        on emissions.facility_id = facilities.facility_id
    group by
        emissions.reporting_year,
        emissions.entity_id,
        emissions.scope,
        emissions.category,
        emissions.scope2_method,
        coalesce(facilities.facility_type = 'data_center', false)

)

select * from final
