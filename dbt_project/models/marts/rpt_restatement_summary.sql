{#-
  Per published year, the figure as originally published beside the figure as recalculated now (on
  the headline basis: Scope 1 + Scope 2 headline method + the reported Scope 3 categories), the
  change by trigger, and whether the cumulative change is significant against the policy's
  recalculation threshold (for the base year: recalculate the base year).
-#}
with changes as (

    select * from {{ ref('int_restatement_changes') }}

),

published as (

    select * from {{ ref('stg_published_fct_emissions') }}

),

categories as (

    select * from {{ ref('stg_policy_scope3_categories') }}

),

settings as (

    select
        max(case when setting = 'scope2_headline_method' then value end) as headline_method,
        cast(max(case when setting = 'base_year' then value end) as integer) as base_year,
        cast(max(case when setting = 'recalculation_threshold_pct' then value end) as double) as threshold_pct
    from {{ ref('stg_policy_settings') }}

),

latest_snapshot as (

    select reporting_year, max(snapshot_version) as snapshot_version
    from published
    group by reporting_year

),

published_headline as (

    select
        published.reporting_year,
        max(published.snapshot_id) as snapshot_id,
        max(published.published_at) as published_at,
        sum(published.t_co2e * published.consolidation_share) as t_co2e_published
    from published
    inner join latest_snapshot
        on published.reporting_year = latest_snapshot.reporting_year
        and published.snapshot_version = latest_snapshot.snapshot_version
    cross join settings
    left join categories
        on published.category = categories.category
    where published.gas <> 'rf_uplift'
        and (published.scope = 1
            or (published.scope = 2 and published.scope2_method = settings.headline_method)
            or (published.scope = 3 and coalesce(categories.is_reported, false)))
    group by published.reporting_year

),

headline_changes as (

    select
        changes.reporting_year,
        sum(case when changes.trigger = 'structural_change' then changes.t_co2e_change else 0 end) as t_co2e_structural_change,
        sum(case when changes.trigger = 'method_or_factor_change' then changes.t_co2e_change else 0 end)
            as t_co2e_method_or_factor_change,
        sum(case when changes.trigger = 'error_correction' then changes.t_co2e_change else 0 end) as t_co2e_error_correction,
        sum(changes.t_co2e_change) as t_co2e_change
    from changes
    cross join settings
    left join categories
        on changes.category = categories.category
    where changes.gas <> 'rf_uplift'
        and (changes.scope = 1
            or (changes.scope = 2 and changes.scope2_method = settings.headline_method)
            or (changes.scope = 3 and coalesce(categories.is_reported, false)))
    group by changes.reporting_year

),

final as (

    select
        published_headline.reporting_year,
        published_headline.snapshot_id,
        published_headline.published_at,
        settings.headline_method,
        published_headline.t_co2e_published,
        published_headline.t_co2e_published + coalesce(headline_changes.t_co2e_change, 0) as t_co2e_recalculated,
        coalesce(headline_changes.t_co2e_structural_change, 0) as t_co2e_structural_change,
        coalesce(headline_changes.t_co2e_method_or_factor_change, 0) as t_co2e_method_or_factor_change,
        coalesce(headline_changes.t_co2e_error_correction, 0) as t_co2e_error_correction,
        {#- Cumulative significance: the triggers' changes in absolute value, added up. -#}
        case when published_headline.t_co2e_published > 0 then
            (abs(coalesce(headline_changes.t_co2e_structural_change, 0))
             + abs(coalesce(headline_changes.t_co2e_method_or_factor_change, 0))
             + abs(coalesce(headline_changes.t_co2e_error_correction, 0)))
            / published_headline.t_co2e_published * 100.0
        end as cumulative_change_pct,
        settings.threshold_pct as recalculation_threshold_pct,
        published_headline.reporting_year = settings.base_year as is_base_year,
        case when published_headline.t_co2e_published > 0 then
            (abs(coalesce(headline_changes.t_co2e_structural_change, 0))
             + abs(coalesce(headline_changes.t_co2e_method_or_factor_change, 0))
             + abs(coalesce(headline_changes.t_co2e_error_correction, 0)))
            / published_headline.t_co2e_published * 100.0 >= settings.threshold_pct
        else false end as is_significant
    from published_headline
    cross join settings
    left join headline_changes
        on published_headline.reporting_year = headline_changes.reporting_year

)

select * from final
