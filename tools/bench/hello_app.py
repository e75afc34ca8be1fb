"""The ceiling of tools/bench/api_load.py: a bare pecan application that
answers ``GET /`` with a small JSON document, served like the API."""

import pecan


class RootController:

    @pecan.expose('json')
    def index(self):
        return {'hello': 'world'}


application = pecan.make_app(RootController())
