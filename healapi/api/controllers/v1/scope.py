"""Which project's objects a request may see."""

import pecan


def project_id():
    """The project a request acts in: it sees and changes only its own."""
    return pecan.request.context.project_id
