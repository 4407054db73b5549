# A forking server that closes what it should but never waits for its children.
#
#   forkscope observe -- python3 examples/fork-no-reap.py
#   forkscope fire --clients 10
#
# What to look for: every finished child stays in the process tree as a zombie (Z):
# it has exited, but its parent never called wait(), so the kernel keeps its exit
# status. kill -9 cannot remove a zombie; only its parent's wait() (or the parent's
# own exit) can. With enough of them, fork() fails with EAGAIN.
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
    while True:
        client_connection, client_address = listen_socket.accept()
        pid = os.fork()
        if pid == 0:  # child
            listen_socket.close()
            handle_request(client_connection)
            client_connection.close()
            os._exit(0)
        else:  # parent: closes its copy, but nobody calls wait()
            client_connection.close()


if __name__ == '__main__':
    serve_forever()
