{#-
  Each facility with its province (ISO 3166-2:CN, whether written in Chinese, pinyin or as a code)
  and its regional power grid. Eastern Inner Mongolia is decided by city. Sites outside the
  mainland grids (Hong Kong, overseas) get no grid region.
-#}
with facilities as (

    select * from {{ ref('stg_org_facilities') }}

),

province_aliases as (

    select * from {{ ref('cn_province_aliases') }}

),

provinces as (

    select * from {{ ref('cn_province_grid_regions') }}

),

city_overrides as (

    select * from {{ ref('cn_city_grid_overrides') }}

),

with_province as (

    select
        facilities.*,
        province_aliases.province_iso
    from facilities
    left join province_aliases
        on lower(trim(facilities.province)) = province_aliases.province_alias

),

final as (

    select
        with_province.facility_id,
        with_province.entity_id,
        with_province.facility_name,
        with_province.facility_type,
        with_province.tenure,
        with_province.country,
        with_province.province,
        with_province.city,
        with_province.floor_area_m2,
        with_province.valid_from_date,
        with_province.valid_to_date,
        with_province.province_iso,
        coalesce(city_overrides.grid_region_id, nullif(provinces.grid_region_id, '')) as grid_region_id,
        case
            when coalesce(city_overrides.grid_region_id, nullif(provinces.grid_region_id, '')) is not null then true
            else false
        end as is_mainland_grid,
        {#- The electricity market a site buys in: mainland China, Hong Kong/Macao/Taiwan, or its country. -#}
        case
            when with_province.province_iso in ('CN-HK', 'CN-MO', 'CN-TW') then substr(with_province.province_iso, 4, 2)
            else upper(trim(with_province.country))
        end as market_code
    from with_province
    left join provinces
        on with_province.province_iso = provinces.province_iso
    left join city_overrides
        on with_province.province_iso = city_overrides.province_iso
        and (trim(with_province.city) = city_overrides.city_zh or lower(trim(with_province.city)) = lower(city_overrides.city_en))

)

select * from final
