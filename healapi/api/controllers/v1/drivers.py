"""/v1/drivers: the datasource drivers installed, with what each needs.

A datasource names its driver; here clients find which drivers there are,
the tables and columns each gives policies, the JSON Schema its
datasources' config must satisfy, and the actions its rules may run.
"""

from wsme import types as wtypes
from wsmeext import pecan as wsme_pecan

from healapi.api import rbac
from healapi.api.controllers.v1 import base
from healapi.api.controllers.v1 import types
from healapi.common import drivers
from healapi.common import exception


class DriverTable(wtypes.Base):
    name = wtypes.text
    columns = [wtypes.text]


class Driver(wtypes.Base):
    name = wtypes.text
    #: push, pull or webhook: how rows reach its datasources.
    kind = wtypes.text
    description = wtypes.text
    #: Its tables; empty when each datasource declares its own in config.
    tables = [DriverTable]
    #: Whether each datasource declares its tables in its config.
    tables_in_config = bool
    config_schema = {wtypes.text: types.jsontype}
    #: Seconds between polls of a datasource that sets no poll_interval
    #: (pull drivers; null for the others).
    default_poll_interval = int
    actions = [wtypes.text]
    links = [types.Link]

    @classmethod
    def of(cls, driver):
        pulled = driver.kind == drivers.PULL
        return cls(
            name=driver.name, kind=driver.kind,
            description=driver.description,
            tables=[DriverTable(name=name, columns=columns)
                    for name, columns in sorted(driver.tables.items())],
            tables_in_config=driver.declares_tables_in_config,
            config_schema=driver.config_schema,
            default_poll_interval=(driver.poll_interval() if pulled
                                   else None),
            actions=sorted(driver.actions),
            links=types.self_links('v1', 'drivers', driver.name))


class DriverCollection(wtypes.Base):
    drivers = [Driver]


class DriversController(base.CollectionController):
    """/v1/drivers"""

    @wsme_pecan.wsexpose(DriverCollection)
    def get_all(self):
        rbac.authorize_in_own_project('healapi:driver:get_all')
        return DriverCollection(drivers=[
            Driver.of(drivers.find(name)) for name in drivers.names()])

    @wsme_pecan.wsexpose(Driver, wtypes.text)
    def get_one(self, driver_name):
        rbac.authorize_in_own_project('healapi:driver:get')
        driver = drivers.find(driver_name)
        if driver is None:
            raise exception.DriverNotFound(driver=driver_name)
        return Driver.of(driver)
