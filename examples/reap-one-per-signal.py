# A forking server that reaps in a SIGCHLD handler — one wait() per signal.
#
#   forkscope observe -- python3 examples/reap-one-per-signal.py
#   forkscope fire --clients 50
#
# What to look for: one request at a time leaves no zombie. A burst does: signals are
# not queued, so while one SIGCHLD is pending, the next child's SIGCHLD merges into it
# and one wait() collects one child. The server shows a SIGCHLD handler installed;
# as root, forkscope also counts SIGCHLDs generated, merged and delivered, and wait()s.
# (Python 3 re-issues an accept() that a signal interrupted; the tutorial's EINTR
# lesson is for Python 2.)
import os
import signal
import socket
import sys

HOST, PORT = '127.0.0.1', int(sys.argv[1]) if len(sys.argv) > 1 else 8888
REQUEST_QUEUE_SIZE = 5

RESPONSE = b"""\
HTTP/1.1 200 OK

Hello, World!
"""


def grim_reaper(signum, frame):
    pid, status = os.wait()  # exactly one child per signal: the bug
    print('Child {pid} terminated with status {status}'.format(pid=pid, status=status))


def handle_request(client_connection):
    request = client_connection.recv(1024)
    print(request.decode(errors='replace').splitlines()[0] if request else '(nothing received)')
    client_connection.sendall(RESPONSE)


def serve_forever():
    listen_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listen_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listen_socket.bind((HOST, PORT))
    listen_socket.listen(REQUEST_QUEUE_SIZE)
    print('Serving HTTP on port {port} ...'.format(port=listen_socket.getsockname()[1]))
    signal.signal(signal.SIGCHLD, grim_reaper)
    while True:
        client_connection, client_address = listen_socket.accept()
        pid = os.fork()
        if pid == 0:  # child
            listen_socket.close()
            handle_request(client_connection)
            client_connection.close()
            os._exit(0)
        else:  # parent
            client_connection.close()


if __name__ == '__main__':
    serve_forever()
