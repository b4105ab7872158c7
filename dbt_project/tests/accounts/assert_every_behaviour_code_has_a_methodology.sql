{#-
  Coordination check with the behaviour catalogue (seeds/accounts/behaviour_codes.csv): every code
  has a shipped methodology, and every shipped methodology names a known code of its scenario.
  A warning: a new code without a methodology is rejected as no_methodology_in_force until one is
  added (in the seed or through the policy).
-#}
{{ config(severity='warn') }}

with codes as (

    select behaviour_code, scenario from {{ ref('behaviour_codes') }}

),

shipped as (

    select distinct behaviour_code, scenario from {{ ref('account_methodologies') }}

)

select codes.behaviour_code, codes.scenario, 'no shipped methodology' as problem
from codes
left join shipped
    on codes.behaviour_code = shipped.behaviour_code
where shipped.behaviour_code is null

union all

select shipped.behaviour_code, shipped.scenario, 'methodology for an unknown code or another scenario' as problem
from shipped
left join codes
    on shipped.behaviour_code = codes.behaviour_code
    and shipped.scenario = codes.scenario
where codes.behaviour_code is null
