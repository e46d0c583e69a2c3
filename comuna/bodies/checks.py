"""System checks: registry keys stored in the database must name known entries."""

from __future__ import annotations

from typing import Any

from django.core import checks

from comuna.core import rulesets
from comuna.core.tally import DECISION_RULES


@checks.register()
def check_rulesets(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for name, params in rulesets.PROFILES.items():
        if params["decision_rule"] not in DECISION_RULES:
            errors.append(checks.Error(f"profile {name}: unknown decision rule", id="comuna.E001"))
    return errors
