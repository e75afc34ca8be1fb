"""The base of v1's collection controllers."""

import pecan
from pecan import rest


class CollectionController(rest.RestController):
    """A collection at ``/things`` with items at ``/things/{id}``.

    pecan would hand ``DELETE /things`` or ``PATCH /things`` to the item
    methods without an id, and ``POST /things/{id}`` to the collection's
    ``post``; these are methods the resource doesn't allow: 405. HEAD is
    routed as GET (:mod:`healapi.api.middleware.head` drops the body).
    """

    #: Whether ``PATCH /things`` changes the collection itself (as it does
    #: a table's rows) rather than being an item method without an id.
    patch_collection = False

    def _handle_delete(self, method, remainder, request=None):
        if not any(remainder):
            pecan.abort(405)
        return super()._handle_delete(method, remainder, request)

    def _handle_unknown_method(self, method, remainder, request=None):
        if method == 'head':
            return self._handle_get('get', remainder, request)
        if (method == 'patch' and not any(remainder)
                and not self.patch_collection):
            pecan.abort(405)
        return super()._handle_unknown_method(method, remainder, request)

    def _handle_post(self, method, remainder, request=None):
        if any(remainder) and self._handle_custom_action(
                method, remainder, request) is None and not (
                self._lookup_child(remainder[0])):
            pecan.abort(405)
        return super()._handle_post(method, remainder, request)
