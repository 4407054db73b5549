// Lesson: a process per connection (the tutorial's Part 3, handling requests with processes) —
// the master accepts and starts a worker for each connection, so slow requests no longer wait
// for each other. Node cannot fork(), so forkscope's workers are started with posix_spawn.
import { liveWorkers, model } from './goals';
import type { Lesson } from './types';

export const processPerConnection: Lesson = {
  id: 'process-per-connection',
  part: 'perConnection',
  preset: { model: 'fork', reap: 'loop', appChoice: 'slow' },
  code: {
    lines: [
      'while True:',
      '    conn, addr = listen_socket.accept()',
      '    pid = os.fork()',
      '    if pid == 0:                 # child',
      '        listen_socket.close()',
      '        handle_request(conn)',
      '        conn.close()',
      '        os._exit(0)',
      '    else:                        # parent',
      '        conn.close()',
    ],
    events: { accept: 1, fork: 2, 'worker-ready': 3, request: 5, response: 5, close: 6, exit: 7 },
    here: { file: 'server-core/models/fork.ts', fn: 'handOff' },
  },
  steps: [
    { kind: 'explain', id: 'fork', line: 2 },
    { kind: 'predict', id: 'workers', choices: ['1', '5', '0'], answer: '5', reveal: 'concurrent' },
    { kind: 'do', id: 'burst', action: { kind: 'fire', client: { path: '/hello?ms=3000', clients: '5', conns: '1', timeoutS: '30' } } },
    {
      kind: 'check',
      id: 'concurrent',
      goal: (w) => {
        if (model(w) !== 'fork') return { fail: 'model' };
        return liveWorkers(w) >= 3 ? 'pass' : 'waiting';
      },
    },
    { kind: 'explain', id: 'cost', line: 2 },
  ],
  text: {
    en: {
      title: 'A process per connection',
      summary: 'The master accepts; a new worker process serves each connection, so slow requests are served side by side.',
      steps: {
        fork: {
          title: 'fork() per connection',
          body: 'The master only accepts. For each connection it starts a child that serves it and exits. Node cannot fork() itself (its V8 heap is not fork-safe), so forkscope starts each worker with posix_spawn — fork + exec, as inetd and CGI servers do; the child gets the connection as its descriptor 3. The server now runs the slow app, 3 s per request.',
        },
        workers: {
          title: 'Guess first',
          body: 'Five slow requests (3 s each) arrive at once. How many worker processes are alive at the same time?',
          choices: { '1': '1 — one after another', '5': '5 — one per connection', '0': '0 — the master serves them' },
          why: 'Each accepted connection gets its own process right away; none waits for another. The process tree shows them side by side, straight from /proc.',
        },
        burst: { title: 'Five at once', body: 'Fire 5 slow requests at the same moment and watch the process tree.', button: 'Fire 5 × /hello?ms=3000' },
        concurrent: {
          title: 'Check: several workers at once',
          body: 'Waiting for /proc to show at least three workers alive at the same moment.',
          hint: 'Fire the burst; the server must be the fork model with the slow app (the lesson starts it).',
          passed: '/proc shows the workers alive side by side, each serving its own connection.',
        },
        cost: {
          title: 'What a process costs',
          body: 'Open a transcript: “Worker ready … after its spawn” is the price of a new process per connection — tens of milliseconds here, paid by every request. The last lesson measures what a pool of long-lived workers saves.',
        },
      },
      hints: { model: 'This lesson needs the fork model: leave the lesson and open it again to restart its server.' },
    },
    'zh-CN': {
      title: '每个连接一个进程',
      summary: '主进程负责 accept；每个连接由一个新的工作进程处理，慢请求可以同时进行。',
      steps: {
        fork: {
          title: '每个连接 fork() 一次',
          body: '主进程只负责 accept。每来一个连接，它就启动一个子进程去处理，处理完子进程就退出。Node 不能 fork() 自己（V8 的堆在 fork 后不可用），所以 forkscope 用 posix_spawn 启动每个工作进程——fork + exec，inetd 和 CGI 服务器也是这样；子进程通过 3 号文件描述符拿到连接。现在服务器运行慢应用，每个请求 3 秒。',
        },
        workers: {
          title: '先猜一猜',
          body: '5 个慢请求（每个 3 秒）同时到达。同一时刻有几个工作进程活着？',
          choices: { '1': '1 个——一个接一个', '5': '5 个——每个连接一个', '0': '0 个——主进程自己处理' },
          why: '每个被 accept 的连接马上得到自己的进程，谁也不用等谁。进程树直接从 /proc 显示它们并排运行。',
        },
        burst: { title: '五个同时来', body: '同时发送 5 个慢请求，看进程树。', button: '发送 5 × /hello?ms=3000' },
        concurrent: {
          title: '检查：同时有多个工作进程',
          body: '等待 /proc 显示同一时刻至少有三个工作进程活着。',
          hint: '发送这一批请求；服务器必须是 fork 模型、运行慢应用（这一课会启动它）。',
          passed: '/proc 显示这些工作进程并排活着，各自处理自己的连接。',
        },
        cost: {
          title: '一个进程的代价',
          body: '打开一条收发记录：“工作进程在启动后……就绪”就是每个连接一个新进程的代价——在这里是几十毫秒，每个请求都要付。最后一课会测量长期存在的工作进程池能省下多少。',
        },
      },
      hints: { model: '这一课需要 fork 模型：离开这一课再重新打开，会重启它的服务器。' },
    },
  },
};
