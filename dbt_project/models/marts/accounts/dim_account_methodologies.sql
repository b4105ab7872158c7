{#- The methodology registry in force (shipped seed plus the policy's configured methodologies), one row per version. -#}
with methodologies as (

    select * from {{ ref('int_account_methodologies') }}

),

final as (

    select * from methodologies

)

select * from final
