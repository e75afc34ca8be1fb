"""A controller serving one read-only JSON document at its root."""

import pecan


class DocumentController:
    """GET and HEAD answer the subclass's ``document()``; others get 405."""

    @pecan.expose(generic=True)
    def index(self):
        pecan.abort(405)

    @index.when(method='HEAD', template='json')
    @index.when(method='GET', template='json')
    def index_get(self):
        return self.document()
