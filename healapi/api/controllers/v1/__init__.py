"""API v1."""

import pecan

from healapi.api.controllers import document
from healapi.api.controllers.v1 import datasources
from healapi.api.controllers.v1 import drivers
from healapi.api.controllers.v1 import engines
from healapi.api.controllers.v1 import policies
from healapi.api.controllers.v1 import violations
from healapi.api import openapi
from healapi.api import versions


class V1Controller(document.DocumentController):

    policies = policies.PoliciesController()
    datasources = datasources.DatasourcesController()
    drivers = drivers.DriversController()
    violations = violations.ViolationsController()
    engines = engines.EnginesController()

    def document(self):
        return {'version': versions.version_document()}


class OpenAPIController(document.DocumentController):
    """The OpenAPI document of API v1."""

    def document(self):
        return openapi.document()


pecan.route(V1Controller, 'openapi.json', OpenAPIController())
