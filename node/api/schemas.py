"""Where the API's schemas were: they live in node.schemas now, which the web forms load too.

Only the modules being moved into shared.web (node/api/auth.py, node/api/health.py) still
import from here; once they import node.schemas, this module goes.
"""

from node.schemas.auth import OfficialSchema, TokenRequestSchema, TokenSchema
from node.schemas.public import HealthSchema

__all__ = ["HealthSchema", "OfficialSchema", "TokenRequestSchema", "TokenSchema"]
