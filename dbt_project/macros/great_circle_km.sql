{#-
  Great-circle distance in km between two points given in decimal degrees: the haversine formula on a
  sphere of radius 6,371 km (the mean Earth radius, IUGG). Portable SQL (radians, sin, cos, asin, sqrt
  and power exist in DuckDB and Spark); the argument of asin is capped at 1 against rounding.
  DEFRA's air factors already include its 8% uplift for routing and stacking, so this distance is
  used as is.
-#}
{% macro great_circle_km(lat1, lon1, lat2, lon2) -%}
    (2.0 * 6371.0 * asin(sqrt(least(1.0,
        power(sin(radians(({{ lat2 }}) - ({{ lat1 }})) / 2.0), 2)
        + cos(radians({{ lat1 }})) * cos(radians({{ lat2 }}))
          * power(sin(radians(({{ lon2 }}) - ({{ lon1 }})) / 2.0), 2)
    ))))
{%- endmacro %}
