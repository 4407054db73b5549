"""The hello app of the tutorial's WSGI part, for the peer servers (gunicorn, tutorial_server.py)."""

HELLO = b'Hello world from a simple WSGI application!\n'


def app(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(HELLO)))])
    return [HELLO]
