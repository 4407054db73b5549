# An iterative server: one connection at a time, accept → recv → sendall → close, in a loop.
# The first server of "Let's Build A Web Server".
#
#   forkscope observe -- python3 examples/iterative.py
#
# What to look for: one process and no children; one connection at a time in the
# connections list; while the server handles one, the next waits in the accept queue.
import socket
import sys

HOST, PORT = '127.0.0.1', int(sys.argv[1]) if len(sys.argv) > 1 else 8888
REQUEST_QUEUE_SIZE = 5

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
        client_connection, client_address = listen_socket.accept()
        handle_request(client_connection)
        client_connection.close()


if __name__ == '__main__':
    serve_forever()
