"""The API root: version discovery and the v1 tree."""

from healapi.api.controllers import document
from healapi.api.controllers import v1
from healapi.api import versions


class RootController(document.DocumentController):

    v1 = v1.V1Controller()

    def document(self):
        """Version discovery; answered without authentication."""
        return {'versions': [versions.version_document()]}
