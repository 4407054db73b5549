// Lesson: the listen backlog (the tutorial's Part 3, listen's argument) — while an iterative
// server is busy, finished handshakes wait in the kernel's accept queue; Linux holds backlog + 1
// and drops further SYNs, whose clients retry after a second or more.
import { model, stuckConnecting, synRetried } from './goals';
import type { Lesson } from './types';

export const backlog: Lesson = {
  id: 'backlog',
  part: 'backlog',
  preset: { model: 'iterative', reap: 'loop', appChoice: 'slow', backlog: '2' },
  code: {
    lines: [
      'listen_socket.listen(2)   # backlog 2',
      'while True:',
      '    conn, addr = listen_socket.accept()',
      '    request = conn.recv(1024)',
      '    # a slow app: everyone else waits',
      '    time.sleep(3)',
      "    conn.sendall(b'HTTP/1.1 200 OK\\r\\n\\r\\nHi')",
      '    conn.close()',
    ],
    events: { listening: 0, queue: 0, accept: 2, request: 3, response: 6, close: 7 },
    here: { file: 'server-core/listener.ts', fn: 'openListener' },
  },
  steps: [
    { kind: 'explain', id: 'backlog', line: 0 },
    { kind: 'predict', id: 'how-many', choices: ['2', '3', '8'], answer: '3', reveal: 'full' },
    { kind: 'do', id: 'burst', action: { kind: 'fire', client: { path: '/hello?ms=3000', clients: '9', conns: '1', timeoutS: '60' } } },
    {
      kind: 'check',
      id: 'full',
      goal: (w) => {
        if (model(w) !== 'iterative') return { fail: 'model' };
        const full = w.queue.backlog > 0 && w.queue.length >= w.queue.backlog + 1;
        return full && (synRetried(w) > 0 || stuckConnecting(w) > 0) ? 'pass' : 'waiting';
      },
    },
    { kind: 'explain', id: 'drain', line: 5 },
  ],
  text: {
    en: {
      title: 'The listen backlog',
      summary: 'While an iterative server is busy, connections wait in the kernel’s accept queue — and when it is full, new ones are not even let in.',
      steps: {
        backlog: {
          title: 'listen(backlog)',
          body: 'The kernel finishes TCP handshakes by itself, even while the server is busy, and keeps the finished connections in a queue until the server calls accept(). listen()’s argument, the backlog, bounds that queue. The server now runs with backlog 2 and a slow app that takes 3 s per request.',
        },
        'how-many': {
          title: 'Guess first',
          body: 'One request is being served (3 s) and 8 more clients connect at once. How many of them wait in the accept queue?',
          choices: { '2': '2 — the backlog', '3': '3 — the backlog + 1', '8': 'all 8' },
          why: 'Linux keeps backlog + 1 finished connections. Further SYNs are dropped without an answer, and the clients’ kernels send them again after 1 s, then longer: those clients just wait in connect().',
        },
        burst: { title: 'Nine clients at once', body: 'Fire 9 slow requests (GET /hello?ms=3000) at the same moment and watch the accept queue.', button: 'Fire 9 × /hello?ms=3000' },
        full: {
          title: 'Check: the queue is full',
          body: 'Waiting for TCP_INFO to report a full queue (backlog + 1) while other clients’ SYNs are being retried.',
          hint: 'Fire the burst; the server must be the iterative one with backlog 2 (the lesson starts it).',
          passed: 'The kernel’s accept queue holds backlog + 1 connections, and the clients that came later are still sending SYNs: their connect() just waits.',
        },
        drain: {
          title: 'Everyone waits for one',
          body: 'Every 3 s the server finishes one request, accepts the next, and one more client gets into the queue. The transcripts say how long each connection waited in the queue and how many SYNs it had to send. A server that serves one connection at a time makes everyone wait — the next lessons fix that.',
        },
      },
      hints: { model: 'This lesson needs the iterative model: leave the lesson and open it again to restart its server.' },
    },
    'zh-CN': {
      title: 'listen 的 backlog',
      summary: '迭代式服务器忙着的时候，连接在内核的 accept 队列里等待——队列满了，新的连接连门都进不来。',
      steps: {
        backlog: {
          title: 'listen(backlog)',
          body: '内核会自己完成 TCP 握手，哪怕服务器正忙；完成握手的连接放在一个队列里，直到服务器调用 accept()。listen() 的参数 backlog 限制这个队列的长度。现在服务器的 backlog 是 2，运行一个慢应用，每个请求要 3 秒。',
        },
        'how-many': {
          title: '先猜一猜',
          body: '一个请求正在处理（3 秒），又有 8 个客户端同时连接。有几个会在 accept 队列里等待？',
          choices: { '2': '2 个——backlog', '3': '3 个——backlog + 1', '8': '全部 8 个' },
          why: 'Linux 保留 backlog + 1 个完成握手的连接。后来的 SYN 被直接丢弃，不作任何回答；客户端的内核在 1 秒后重发，然后间隔更久：这些客户端就卡在 connect() 里。',
        },
        burst: { title: '九个客户端同时来', body: '同时发送 9 个慢请求（GET /hello?ms=3000），看 accept 队列。', button: '发送 9 × /hello?ms=3000' },
        full: {
          title: '检查：队列满了',
          body: '等待 TCP_INFO 报告队列已满（backlog + 1），同时其他客户端的 SYN 正在重试。',
          hint: '发送这一批请求；服务器必须是 backlog 为 2 的迭代式服务器（这一课会启动它）。',
          passed: '内核的 accept 队列里有 backlog + 1 个连接，后来的客户端还在重发 SYN：它们的 connect() 只能等着。',
        },
        drain: {
          title: '所有人都在等一个',
          body: '每过 3 秒，服务器处理完一个请求，accept 下一个，又有一个客户端挤进队列。收发记录里写着每个连接在队列里等了多久、重发了几次 SYN。一次只处理一个连接的服务器让所有人都得等——接下来的几课来解决它。',
        },
      },
      hints: { model: '这一课需要迭代式模型：离开这一课再重新打开，会重启它的服务器。' },
    },
  },
};
