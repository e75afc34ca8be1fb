"""/v1/engines: the engine processes alive now, for operators."""

from wsme import types as wtypes
from wsmeext import pecan as wsme_pecan

from healapi.api import rbac
from healapi.api.controllers.v1 import base
from healapi.api.controllers.v1 import types
from healapi.api import database as db_api


class Engine(wtypes.Base):
    id = wtypes.text
    host = wtypes.text
    pid = int
    version = wtypes.text
    started_at = wtypes.datetime.datetime
    heartbeat_at = wtypes.datetime.datetime
    #: Whether it shares the policies with a group of engines.
    coordinated = bool
    #: The ids of the policies it evaluates.
    policies = [wtypes.text]

    @classmethod
    def from_db(cls, engine, policies):
        return cls(id=engine.id, host=engine.host, pid=engine.pid,
                   version=engine.version,
                   started_at=types.utc(engine.started_at),
                   heartbeat_at=types.utc(engine.heartbeat_at),
                   coordinated=engine.coordinated, policies=policies)


class EngineCollection(wtypes.Base):
    engines = [Engine]


class EnginesController(base.CollectionController):
    """/v1/engines"""

    @wsme_pecan.wsexpose(EngineCollection)
    def get_all(self):
        """The engines whose last heartbeat is recent enough that they are
        taken to be alive (``[engine]/heartbeat_timeout``), each with the
        policies it evaluates."""
        rbac.authorize('healapi:engine:get_all')
        engines = db_api.live_engines()
        owned = db_api.get_instance().list_owned_policies(
            [engine.id for engine in engines])
        return EngineCollection(engines=[
            Engine.from_db(engine, owned[engine.id]) for engine in engines])
