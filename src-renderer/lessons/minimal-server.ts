// Lesson: the minimal server of the tutorial's Part 1 — socket, bind, listen, then accept,
// recv, sendall, close, one connection at a time.
import { clientDone, model, servedInOrder } from './goals';
import type { Lesson } from './types';

export const minimalServer: Lesson = {
  id: 'minimal-server',
  part: 'minimal',
  preset: { model: 'iterative', reap: 'loop', appChoice: 'hello', backlog: '1' },
  code: {
    lines: [
      'import socket',
      '',
      "HOST, PORT = '', 8888",
      '',
      'listen_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)',
      'listen_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
      'listen_socket.bind((HOST, PORT))',
      'listen_socket.listen(1)',
      "print('Serving HTTP on port %s ...' % PORT)",
      'while True:',
      '    client_connection, client_address = listen_socket.accept()',
      '    request = client_connection.recv(1024)',
      '    print(request.decode())',
      "    http_response = b'HTTP/1.1 200 OK\\r\\n\\r\\nHello, World!'",
      '    client_connection.sendall(http_response)',
      '    client_connection.close()',
    ],
    events: { listening: 7, accept: 10, request: 11, response: 14, close: 15 },
    here: { file: 'server-core/http/connection.ts', fn: 'run' },
  },
  steps: [
    { kind: 'explain', id: 'listen', line: 7 },
    { kind: 'predict', id: 'order', choices: ['accept-first', 'recv-first', 'send-first'], answer: 'accept-first', reveal: 'served' },
    { kind: 'do', id: 'send', action: { kind: 'fire', client: { path: '/hello' } } },
    {
      kind: 'check',
      id: 'served',
      goal: (w) => {
        if (model(w) !== 'iterative') return { fail: 'model' };
        return servedInOrder(w) != null && clientDone(w).includes(200) ? 'pass' : 'waiting';
      },
    },
    { kind: 'explain', id: 'loop', line: 9 },
  ],
  text: {
    en: {
      title: 'A minimal server',
      summary: 'socket, bind, listen — then accept, recv, sendall, close, one connection at a time.',
      steps: {
        listen: {
          title: 'The server is listening',
          body: 'forkscope has just made the calls at the top of the listing: socket, bind, listen. The timeline’s first event is `listening`; the process tree shows one server process, the master. Nothing else happens until a client connects.',
        },
        order: {
          title: 'Guess first',
          body: 'You are about to send one GET /hello. In which order will the server make its calls?',
          choices: { 'accept-first': 'accept → recv → sendall → close', 'recv-first': 'recv → accept → close → sendall', 'send-first': 'sendall → accept → recv → close' },
          why: 'accept() takes the connection off the kernel’s queue and gives the server a new socket; only then can it recv() the request from it, sendall() the answer and close() it.',
        },
        send: { title: 'Send one request', body: 'Send GET /hello from the built-in client (or `curl` the address in the top bar).', button: 'Send GET /hello' },
        served: {
          title: 'Check: one request, in order',
          body: 'Waiting for the server to accept, read, answer and close one connection — all in the master process.',
          hint: 'Send the request with the button above, or press “Show me”.',
          passed: 'The events came in the tutorial’s order: accept, request (recv), response (sendall), close — every one from the same pid.',
        },
        loop: {
          title: 'while True',
          body: 'The server is back in accept(), waiting for the next connection. One process did everything, one connection at a time: that is why this model is called iterative. Open the transcript to see the bytes curl -v style.',
        },
      },
      hints: { model: 'This lesson needs the iterative model: leave the lesson and open it again to restart its server.' },
    },
    'zh-CN': {
      title: '最简单的服务器',
      summary: 'socket、bind、listen——然后 accept、recv、sendall、close，一次处理一个连接。',
      steps: {
        listen: {
          title: '服务器在监听了',
          body: 'forkscope 刚刚做了代码开头的几个调用：socket、bind、listen。时间线的第一个事件是 `listening`；进程树里只有一个服务器进程——主进程。在客户端连上来之前，什么也不会发生。',
        },
        order: {
          title: '先猜一猜',
          body: '你要发送一个 GET /hello。服务器会按什么顺序做这些调用？',
          choices: { 'accept-first': 'accept → recv → sendall → close', 'recv-first': 'recv → accept → close → sendall', 'send-first': 'sendall → accept → recv → close' },
          why: 'accept() 从内核队列里取出连接，给服务器一个新的 socket；之后才能从它 recv() 请求、sendall() 回答、再 close() 它。',
        },
        send: { title: '发送一个请求', body: '用内置客户端发送 GET /hello（或者用 `curl` 访问顶栏里的地址）。', button: '发送 GET /hello' },
        served: {
          title: '检查：一个请求，按顺序',
          body: '等待服务器 accept、读取、回答并关闭一个连接——全部在主进程里。',
          hint: '用上面的按钮发送请求，或者点“演示给我看”。',
          passed: '事件的顺序和教程一样：accept、request（recv）、response（sendall）、close——全都来自同一个 pid。',
        },
        loop: {
          title: 'while True',
          body: '服务器回到了 accept()，等待下一个连接。一个进程做完了所有事，一次一个连接：所以这种模型叫迭代式。打开收发记录，可以看到 curl -v 风格的字节。',
        },
      },
      hints: { model: '这一课需要迭代式模型：离开这一课再重新打开，会重启它的服务器。' },
    },
  },
};
