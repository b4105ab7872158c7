{#-
  Carbon credit lots (a third list, never netted into gross figures), each with whether it counts
  toward a year's neutrality claim and why not. A credit counts toward year Y only when the registry
  shows it retired for the group (the policy's root entity) and for Y. A serial retired twice is an
  error (both lots are refused and a data test fails); credits issued from the group's own carbon
  accounts (the policy's own_account_registries) never count as offsets.
-#}
with credits as (

    select * from {{ ref('stg_credits') }}

),

settings as (

    select
        max(case when setting = 'root_entity_id' then value end) as root_entity_id,
        max(case when setting = 'own_account_registries' then value end) as own_account_registries
    from {{ ref('stg_policy_settings') }}

),

parsed as (

    select
        credits.*,
        {{ serial_prefix('credits.serial_start') }} as serial_prefix,
        {{ serial_number('credits.serial_start') }} as serial_first,
        {{ serial_number('credits.serial_end') }} as serial_last
    from credits

),

retired_twice as (

    select distinct a.credit_id
    from parsed as a
    inner join parsed as b
        on a.serial_prefix = b.serial_prefix
        and a.credit_id <> b.credit_id
        and a.status = 'retired' and b.status = 'retired'
        and a.serial_first <= b.serial_last
        and b.serial_first <= a.serial_last

),

final as (

    select
        parsed.credit_id,
        parsed.registry,
        parsed.standard,
        parsed.project_id,
        parsed.project_type,
        parsed.credit_type,
        parsed.vintage_year,
        parsed.tonnes,
        parsed.status,
        parsed.retired_on_date,
        parsed.retired_for_year,
        parsed.retired_for_entity,
        parsed.serial_start,
        parsed.serial_end,
        parsed.source_file,
        parsed.source_row,
        retired_twice.credit_id is not null as is_serial_retired_twice,
        case
            when retired_twice.credit_id is not null then 'serial_retired_twice'
            when {{ dbt.position(dbt.concat(["','", "parsed.registry", "','"]),
                                 dbt.concat(["','", "coalesce(settings.own_account_registries, '')", "','"])) }} > 0
                then 'issued_from_own_carbon_accounts'
            when parsed.status <> 'retired' then 'not_retired'
            when parsed.retired_for_year is null then 'retirement_names_no_year'
            when parsed.retired_for_entity is null or parsed.retired_for_entity <> settings.root_entity_id
                then 'not_retired_for_the_group'
        end as not_counted_reason
    from parsed
    cross join settings
    left join retired_twice
        on parsed.credit_id = retired_twice.credit_id

)

select * from final
