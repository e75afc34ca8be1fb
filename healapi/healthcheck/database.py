"""``healapi_db``: a round trip to the database."""

from healapi.db import api as db_api
from healapi.healthcheck import base


class DatabaseCheck(base.Check):

    backend = 'database'

    def probe(self):
        db_api.get_instance().ping()
        return 'OK'
