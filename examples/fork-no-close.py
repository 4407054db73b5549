# A forking server whose parent forgets to close its copy of each connection.
#
#   forkscope observe -- python3 examples/fork-no-close.py
#   forkscope fire
#
# What to look for: the client never finishes — the response has no length, so it reads
# until the server closes, and the server never does: the child closes its copy, but the
# parent still holds one. The connection sits in CLOSE_WAIT with the parent among its
# holders, and every child forked later inherits it too (its fd list shows it). Each
# connection costs the parent one more file descriptor, until accept() fails with EMFILE.
import os
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
    kept = []  # so Python does not close the parent's copies behind our back
    while True:
        client_connection, client_address = listen_socket.accept()
        pid = os.fork()
        if pid == 0:  # child
            listen_socket.close()
            handle_request(client_connection)
            client_connection.close()
            os._exit(0)
        else:  # parent: the missing client_connection.close() is the bug
            kept.append(client_connection)


if __name__ == '__main__':
    serve_forever()
