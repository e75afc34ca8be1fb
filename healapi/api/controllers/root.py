"""The API root: version discovery and the v1 tree."""

import pecan

from healapi.api.controllers import v1
from healapi.api import versions


class RootController:

    v1 = v1.V1Controller()

    @pecan.expose(generic=True)
    def index(self):
        pecan.abort(405)

    @index.when(method='HEAD', template='json')
    @index.when(method='GET', template='json')
    def index_get(self):
        """Version discovery; answered without authentication."""
        return {'versions': [versions.version_document()]}
