"""dbt model → Dagster asset key and group.

Models get the key [<folder>, <model>] (staging, intermediate, marts) and the group of their folder;
seeds go to the group "factor_library". Sources carry their asset key in meta (silver tables and the
policy), which connects dbt to the Python assets that write them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster import AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

MODEL_FOLDERS = ("staging", "intermediate", "marts")


def model_folder(props: Mapping[str, Any]) -> str | None:
    """The first folder under models/ (staging, intermediate, marts), or None for seeds and sources."""
    fqn = props.get("fqn") or []
    return next((part for part in fqn[1:-1] if part in MODEL_FOLDERS), None)


class CarbonLedgerTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "source":
            return super().get_asset_key(dbt_resource_props)
        if resource_type == "seed":
            return AssetKey(["seeds", dbt_resource_props["name"]])
        folder = model_folder(dbt_resource_props) or "models"
        return AssetKey([folder, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "factor_library"
        return model_folder(dbt_resource_props) or "models"


translator = CarbonLedgerTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
