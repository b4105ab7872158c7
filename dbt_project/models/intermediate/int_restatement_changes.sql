{#-
  What changed since a year was published, row by row, and why (the restatement trigger). Rows count
  as they count in the group total: t CO2e x the entity's consolidation share (as published, and now).
    structural_change        the entity's share changed (it entered or left the boundary), it joined
                             the group after that year (pro-forma inclusion of an acquisition) or it has
                             left the entity list (divestment)
    method_or_factor_change  the same source row now uses another factor or factor set
    error_correction         source data corrected: a row added, removed or with a different
                             quantity, including an estimate replaced with actuals
  Compared with the latest snapshot of each published year (published rows vs current fct_emissions,
  keyed by source row, month, gas, category and Scope 2 method).
-#}
with published as (

    select * from {{ ref('stg_published_fct_emissions') }}

),

current_rows as (

    select fct.*, boundary.consolidation_share
    from {{ ref('fct_emissions') }} as fct
    left join {{ ref('int_entities_in_boundary') }} as boundary
        on fct.entity_id = boundary.entity_id

),

entities as (

    select * from {{ ref('stg_org_entities') }}

),

latest_snapshot as (

    select reporting_year, max(snapshot_version) as snapshot_version
    from published
    group by reporting_year

),

published_latest as (

    select published.*
    from published
    inner join latest_snapshot
        on published.reporting_year = latest_snapshot.reporting_year
        and published.snapshot_version = latest_snapshot.snapshot_version

),

current_in_published_years as (

    select current_rows.*
    from current_rows
    inner join latest_snapshot
        on current_rows.reporting_year = latest_snapshot.reporting_year

),

compared as (

    select
        coalesce(c.reporting_year, p.reporting_year) as reporting_year,
        p.snapshot_id,
        coalesce(c.entity_id, p.entity_id) as entity_id,
        coalesce(c.facility_id, p.facility_id) as facility_id,
        coalesce(c.scope, p.scope) as scope,
        coalesce(c.category, p.category) as category,
        coalesce(c.scope2_method, p.scope2_method) as scope2_method,
        coalesce(c.gas, p.gas) as gas,
        coalesce(c.source_file, p.source_file) as source_file,
        coalesce(c.source_row, p.source_row) as source_row,
        coalesce(c.record_id, p.record_id) as record_id,
        p.factor_id as published_factor_id,
        c.factor_id as current_factor_id,
        p.activity_quantity as published_quantity,
        c.activity_quantity as current_quantity,
        p.is_estimate as published_is_estimate,
        c.is_estimate as current_is_estimate,
        p.consolidation_share as published_share,
        c.consolidation_share as current_share,
        coalesce(p.t_co2e * p.consolidation_share, 0) as t_co2e_published,
        coalesce(c.t_co2e * c.consolidation_share, 0) as t_co2e_current
    from current_in_published_years as c
    full outer join published_latest as p
        on c.reporting_year = p.reporting_year
        and c.activity_month = p.activity_month
        and c.source_file = p.source_file
        and c.source_row = p.source_row
        and c.gas = p.gas
        and c.category = p.category
        and coalesce(c.scope2_method, '') = coalesce(p.scope2_method, '')
        and coalesce(c.record_id, '') = coalesce(p.record_id, '')

),

snapshot_ids as (

    select distinct reporting_year, snapshot_id from published_latest

),

final as (

    select
        compared.reporting_year,
        snapshot_ids.snapshot_id,
        compared.entity_id,
        compared.facility_id,
        compared.scope,
        compared.category,
        compared.scope2_method,
        compared.gas,
        compared.source_file,
        compared.source_row,
        compared.record_id,
        compared.published_factor_id,
        compared.current_factor_id,
        compared.published_quantity,
        compared.current_quantity,
        compared.t_co2e_published,
        compared.t_co2e_current,
        compared.t_co2e_current - compared.t_co2e_published as t_co2e_change,
        case
            when entities.entity_id is null then 'structural_change'
            when coalesce(compared.published_share, -1) <> coalesce(compared.current_share, -1)
                and compared.published_share is not null and compared.current_share is not null then 'structural_change'
            when {{ year_of('entities.valid_from_date') }} > compared.reporting_year then 'structural_change'
            when compared.published_factor_id is not null and compared.current_factor_id is not null
                and compared.published_factor_id <> compared.current_factor_id then 'method_or_factor_change'
            else 'error_correction'
        end as trigger,
        coalesce(compared.published_is_estimate, false) and not coalesce(compared.current_is_estimate, true)
            as is_estimate_replaced_by_actuals
    from compared
    inner join snapshot_ids
        on compared.reporting_year = snapshot_ids.reporting_year
    left join entities
        on compared.entity_id = entities.entity_id
    where abs(compared.t_co2e_current - compared.t_co2e_published) > 0.000001
        or coalesce(compared.published_factor_id, '') <> coalesce(compared.current_factor_id, '')

)

select * from final
