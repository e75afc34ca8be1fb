"""API v1."""

import pecan

from healapi.api.controllers.v1 import datasources
from healapi.api.controllers.v1 import policies
from healapi.api.controllers.v1 import violations
from healapi.api import versions


class V1Controller:

    policies = policies.PoliciesController()
    datasources = datasources.DatasourcesController()
    violations = violations.ViolationsController()

    @pecan.expose(generic=True)
    def index(self):
        pecan.abort(405)

    @index.when(method='HEAD', template='json')
    @index.when(method='GET', template='json')
    def index_get(self):
        return {'version': versions.version_document()}
