"""The review procedure's numbers as the province admin reads them: each value of
shared/procedure/procedure.json with its legal basis, whether it is provisional, and the value
in force on this node (the data's, unless the node's configuration overrides it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from node.services.scopes import PROVINCE_ADMIN, Official, require_role
from shared.procedure import ProcedureValue, procedure_values


@dataclass(frozen=True)
class ProcedureRow:
    """One number of the procedure and what this node uses."""

    entry: ProcedureValue
    # The value the node applies; None where the software does not use the value yet.
    in_force: Any

    @property
    def overridden(self) -> bool:
        """Whether the node's configuration departs from the data."""
        return self.in_force is not None and self.in_force != self.entry.value


def procedure_table(official: Official, settings: Mapping[str, Any]) -> list[ProcedureRow]:
    """Every value of the procedure, in the data's order, with the node's setting for it."""
    require_role(official, PROVINCE_ADMIN)
    return [ProcedureRow(entry, _in_force(entry, settings)) for entry in procedure_values()]


def _in_force(entry: ProcedureValue, settings: Mapping[str, Any]) -> Any:
    if not entry.settings:
        return None
    values = [settings[name] for name in entry.settings]
    return values[0] if len(values) == 1 else values
