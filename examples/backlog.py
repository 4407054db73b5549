# The listen backlog: connections the kernel completes for us before we accept them.
# This server listens with a backlog of 5, then sleeps before each accept(), as if it
# were busy. Fire 8 connections at once.
#
#   forkscope observe -- python3 examples/backlog.py
#   forkscope fire --clients 8
#
# What to look for: the accept queue fills to 6 (Linux holds backlog + 1); the
# connections waiting in it show as ESTABLISHED with no holder — no process has
# accepted them yet. Later SYNs are dropped: those clients connect only after their
# kernel retries (about 1 s, then 3 s).
import socket
import sys
import time

HOST, PORT = '127.0.0.1', int(sys.argv[1]) if len(sys.argv) > 1 else 8888
REQUEST_QUEUE_SIZE = 5
SECONDS_BEFORE_ACCEPT = 10

RESPONSE = b"""\
HTTP/1.1 200 OK

Hello, World!
"""


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
    while True:
        time.sleep(SECONDS_BEFORE_ACCEPT)  # busy: the kernel keeps queueing meanwhile
        client_connection, client_address = listen_socket.accept()
        handle_request(client_connection)
        client_connection.close()


if __name__ == '__main__':
    serve_forever()
