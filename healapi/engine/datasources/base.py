"""What every datasource driver has in common."""


class ActionFailed(Exception):
    """An action could not run; the message says why, for the operator."""


class Driver:
    """A datasource driver, for now as the target of ``execute[...]`` rules.

    ``actions`` maps each action name (what follows ``ds:`` in
    ``execute[ds:name(args)]``) to a callable ``(datasource, args)`` that
    returns a short text saying what it did, or raises
    :class:`ActionFailed`. ``datasource`` is the db Datasource the rule
    named, ``args`` the list of the action tuple's values.
    """

    #: The name datasources use to choose this driver.
    name = None

    def __init__(self, dbapi):
        self.dbapi = dbapi
        self.actions = {}

    def execute(self, datasource, action, args):
        function = self.actions.get(action)
        if function is None:
            raise ActionFailed(
                'the %s driver of datasource %s has no action %r; its '
                'actions: %s' % (self.name, datasource.name, action,
                                 ', '.join(sorted(self.actions)) or 'none'))
        return function(datasource, list(args))
