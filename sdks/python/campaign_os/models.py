"""The API's data models (generated from the OpenAPI spec), re-exported for convenience."""

from ._generated.models import *  # noqa: F403
from ._generated.models import __all__ as __all__  # noqa: F401
