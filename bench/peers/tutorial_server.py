"""A WSGI server as the "Let's Build A Web Server" tutorial builds one, for benchmarks.

    python3 tutorial_server.py apps:app --port 8888 [--backlog 1024] [--model iterative|fork]

iterative: accept one connection, serve it, close it, accept the next.
fork:      a child process per connection; the parent closes its copy and goes back to
           accept(); a SIGCHLD handler collects every finished child (waitpid loop), and an
           accept() interrupted by the signal is simply issued again.
"""
import argparse
import errno
import importlib
import os
import signal
import socket
import sys


def parse_request(data):
    head = data.split(b'\r\n\r\n', 1)[0].decode('latin-1')
    lines = head.split('\r\n')
    method, target, version = lines[0].split(' ', 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(':')
        headers[name.strip().lower()] = value.strip()
    return method, target, version, headers


def make_environ(method, target, version, headers, server_name, server_port):
    path, _, query = target.partition('?')
    environ = {
        'REQUEST_METHOD': method,
        'SCRIPT_NAME': '',
        'PATH_INFO': path,
        'QUERY_STRING': query,
        'SERVER_NAME': server_name,
        'SERVER_PORT': str(server_port),
        'SERVER_PROTOCOL': version,
        'wsgi.version': (1, 0),
        'wsgi.url_scheme': 'http',
        'wsgi.input': None,
        'wsgi.errors': sys.stderr,
        'wsgi.multithread': False,
        'wsgi.multiprocess': False,
        'wsgi.run_once': False,
    }
    for name, value in headers.items():
        environ['HTTP_' + name.upper().replace('-', '_')] = value
    return environ


def handle_one_request(conn, app, server_name, server_port):
    data = conn.recv(65536)
    if not data:
        return
    method, target, version, headers = parse_request(data)
    status_and_headers = []

    def start_response(status, response_headers, exc_info=None):
        status_and_headers[:] = [status, response_headers]

    body = b''.join(app(make_environ(method, target, version, headers, server_name, server_port), start_response))
    status, response_headers = status_and_headers
    head = 'HTTP/1.1 %s\r\n' % status
    for name, value in response_headers + [('Connection', 'close')]:
        head += '%s: %s\r\n' % (name, value)
    conn.sendall(head.encode('latin-1') + b'\r\n' + body)


def reap_children(signum, frame):
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def serve(app, port, backlog, model):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(('127.0.0.1', port))
    listener.listen(backlog)
    if model == 'fork':
        signal.signal(signal.SIGCHLD, reap_children)
    while True:
        try:
            conn, _ = listener.accept()
        except OSError as e:
            if e.errno == errno.EINTR:
                continue
            raise
        if model == 'iterative':
            handle_one_request(conn, app, 'localhost', port)
            conn.close()
            continue
        if os.fork() == 0:
            listener.close()
            handle_one_request(conn, app, 'localhost', port)
            conn.close()
            os._exit(0)
        conn.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('app', help='module:callable')
    parser.add_argument('--port', type=int, default=8888)
    parser.add_argument('--backlog', type=int, default=5)
    parser.add_argument('--model', choices=['iterative', 'fork'], default='iterative')
    args = parser.parse_args()
    module, _, name = args.app.partition(':')
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    app = getattr(importlib.import_module(module), name or 'app')
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    serve(app, args.port, args.backlog, args.model)


if __name__ == '__main__':
    main()
