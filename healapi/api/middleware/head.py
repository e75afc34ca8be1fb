"""Answer HEAD with the headers GET would send and no body.

Controllers answer HEAD as they answer GET; this drops the body in one
place, for successes and errors alike, whatever WSGI server runs the API.
"""


class HeadWithoutBody:
    """WSGI middleware sending no body in answer to HEAD."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        result = self.application(environ, start_response)
        if environ.get('REQUEST_METHOD') != 'HEAD':
            return result
        if hasattr(result, 'close'):
            result.close()
        return []
