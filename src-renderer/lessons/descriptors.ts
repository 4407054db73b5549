// Lesson: closing descriptors on both sides (the tutorial's Part 3, closing sockets and
// connections) — a parent that keeps its copy of a connection keeps the client from ever
// seeing EOF, and runs out of descriptors (EMFILE).
import { eventsOf, model } from './goals';
import type { Lesson, World } from './types';

/** The client got its answer, the worker that served it is gone, and still no EOF. */
function answeredWithoutEof(w: World): boolean {
  const done = eventsOf(w, 'client-done').find((e) => e.status === 200);
  if (!done) return false;
  if (eventsOf(w, 'client-eof').length > 0) return false;
  // The child closed its copy when it exited: only the parent's copy is left.
  return eventsOf(w, 'reap').length > 0 || eventsOf(w, 'exit').length > 0;
}

export const descriptors: Lesson = {
  id: 'descriptors',
  part: 'descriptors',
  preset: { model: 'fork', reap: 'loop', appChoice: 'hello', parentKeepsConn: true },
  code: {
    lines: [
      'while True:',
      '    conn, addr = listen_socket.accept()',
      '    pid = os.fork()',
      '    if pid == 0:',
      '        # the child closes its copy of the listener',
      '        listen_socket.close()',
      '        handle_request(conn)',
      '        conn.close()',
      '        os._exit(0)',
      '    else:',
      '        # forgot conn.close():',
      '        # the parent’s copy stays open',
      '        pass',
    ],
    events: { accept: 1, fork: 2, close: 7, exit: 8, 'fds-released': 12, 'client-eof': 12 },
    here: { file: 'server-core/models/fork.ts', fn: 'handOff' },
  },
  steps: [
    { kind: 'explain', id: 'refcount', line: 10 },
    { kind: 'predict', id: 'see-eof', choices: ['yes', 'no', 'exit'], answer: 'no', reveal: 'no-eof' },
    { kind: 'do', id: 'request', action: { kind: 'fire', client: { path: '/hello', timeoutS: '120' }, extra: { eofGraceMs: 120_000 } } },
    {
      kind: 'check',
      id: 'no-eof',
      goal: (w) => {
        if (model(w) !== 'fork' || !w.run.config?.parentKeepsConn) return { fail: 'setup' };
        return answeredWithoutEof(w) ? 'pass' : 'waiting';
      },
    },
    { kind: 'do', id: 'release', action: { kind: 'command', cmd: { cmd: 'release-fds' } } },
    {
      kind: 'check',
      id: 'eof',
      goal: (w) => (eventsOf(w, 'fds-released').length > 0 && eventsOf(w, 'client-eof').length > 0 ? 'pass' : 'waiting'),
    },
    { kind: 'explain', id: 'emfile', line: 10 },
    { kind: 'do', id: 'limit', action: { kind: 'start', server: { parentKeepsConn: true, nofile: '48' } } },
    { kind: 'do', id: 'flood', action: { kind: 'fire', client: { path: '/hello', clients: '60', conns: '1', timeoutS: '15' }, extra: { eofGraceMs: 200 } } },
    {
      kind: 'check',
      id: 'emfile-seen',
      goal: (w) => (eventsOf(w, 'error').some((e) => e.code === 'EMFILE') ? 'pass' : 'waiting'),
    },
  ],
  text: {
    en: {
      title: 'Close the descriptors on both sides',
      summary: 'A connection is really closed only when every process that holds a copy has closed it.',
      steps: {
        refcount: {
          title: 'Two copies of one connection',
          body: 'After fork() the child has a copy of every descriptor of the parent. The kernel counts the copies and closes the connection only when the count reaches zero. The server now runs with “parent keeps the connection”: the master does not close its copy — the bug on the last line of the listing.',
        },
        'see-eof': {
          title: 'Guess first',
          body: 'The child answers the request and closes its copy; the parent keeps its own. Does the client see the end of the response (EOF)?',
          choices: { yes: 'Yes, when the child closes', no: 'No, not while the parent holds a copy', exit: 'Only after the child exits' },
          why: 'close() in the child only lowers the count from 2 to 1. The kernel sends the FIN — the client’s EOF — when the last copy goes, and the parent still holds one.',
        },
        request: { title: 'Send one request', body: 'Send GET /hello. The client waits for the server to close the connection, as curl does.', button: 'Send GET /hello' },
        'no-eof': {
          title: 'Check: answered, but no EOF',
          body: 'Waiting for the answer to arrive and its worker to exit, while the client still has no EOF.',
          hint: 'Send the request; the server must run with “parent keeps the connection” (the lesson starts it).',
          passed: 'The client has its whole answer and the child has exited, yet its read() has not returned 0: the parent’s copy keeps the connection open. The client hangs.',
        },
        release: { title: 'Close the parent’s copy', body: 'Ask the master to close the copies it kept.', button: 'Release kept fds' },
        eof: {
          title: 'Check: EOF at last',
          body: 'Waiting for the client to see EOF after the master closes its copies.',
          hint: 'Press the button of the step before.',
          passed: 'The moment the parent closed its copy, the count reached zero and the client got its EOF.',
        },
        emfile: {
          title: 'Descriptors run out',
          body: 'A parent that never closes keeps one descriptor per connection for ever. With a low limit (RLIMIT_NOFILE), accept() soon fails with EMFILE: the server cannot take new connections at all.',
        },
        limit: { title: 'A low fd limit', body: 'Restart the server, still keeping the connections, with at most 48 open descriptors.', button: 'Restart with nofile 48' },
        flood: { title: 'Sixty connections', body: 'Fire 60 requests and watch the master’s fd count in the process tree.', button: 'Fire 60 requests' },
        'emfile-seen': {
          title: 'Check: EMFILE',
          body: 'Waiting for accept() to fail with EMFILE.',
          hint: 'Restart with the low limit, then fire the 60 requests.',
          passed: 'accept() failed with EMFILE: the master holds as many descriptors as its limit allows. Closing the parent’s copy — one line in the tutorial’s code — prevents both bugs.',
        },
      },
      hints: { setup: 'This lesson needs the fork model with “parent keeps the connection”: leave the lesson and open it again to restart its server.' },
    },
    'zh-CN': {
      title: '两边都要关闭文件描述符',
      summary: '只有持有副本的每个进程都关闭了，一个连接才真正关闭。',
      steps: {
        refcount: {
          title: '一个连接的两个副本',
          body: 'fork() 之后，子进程拥有父进程每个文件描述符的副本。内核对副本计数，只有计数降到零才真正关闭连接。现在服务器开着“父进程保留连接”：主进程不关闭自己的副本——就是代码最后一行的那个 bug。',
        },
        'see-eof': {
          title: '先猜一猜',
          body: '子进程回答了请求，关闭了它的副本；父进程保留着自己的。客户端能看到响应结束（EOF）吗？',
          choices: { yes: '能，子进程一关闭就能', no: '不能，只要父进程还持有副本', exit: '要等子进程退出以后' },
          why: '子进程里的 close() 只是把计数从 2 减到 1。最后一个副本关闭时，内核才发送 FIN——也就是客户端的 EOF——而父进程还拿着一个。',
        },
        request: { title: '发送一个请求', body: '发送 GET /hello。客户端会像 curl 一样等服务器关闭连接。', button: '发送 GET /hello' },
        'no-eof': {
          title: '检查：有回答，却没有 EOF',
          body: '等待回答到达、处理它的工作进程退出，而客户端仍然没有收到 EOF。',
          hint: '发送请求；服务器必须开着“父进程保留连接”（这一课会启动它）。',
          passed: '客户端已经拿到完整的回答，子进程也退出了，可它的 read() 还没有返回 0：父进程的副本让连接一直开着。客户端就这样挂着。',
        },
        release: { title: '关闭父进程的副本', body: '让主进程关闭它保留的副本。', button: '释放保留的文件描述符' },
        eof: {
          title: '检查：终于有 EOF 了',
          body: '等待主进程关闭副本之后，客户端看到 EOF。',
          hint: '点上一步的按钮。',
          passed: '父进程一关闭它的副本，计数就降到零，客户端收到了 EOF。',
        },
        emfile: {
          title: '文件描述符耗尽',
          body: '从不关闭连接的父进程，每个连接永远占着一个文件描述符。上限（RLIMIT_NOFILE）低的时候，accept() 很快就会以 EMFILE 失败：服务器再也接不了新连接。',
        },
        limit: { title: '一个很低的上限', body: '重启服务器，仍然保留连接，最多只能打开 48 个文件描述符。', button: '以 nofile 48 重启' },
        flood: { title: '六十个连接', body: '发送 60 个请求，看进程树里主进程的文件描述符数。', button: '发送 60 个请求' },
        'emfile-seen': {
          title: '检查：EMFILE',
          body: '等待 accept() 以 EMFILE 失败。',
          hint: '先以低上限重启，再发送这 60 个请求。',
          passed: 'accept() 以 EMFILE 失败了：主进程持有的文件描述符已经达到上限。关闭父进程的副本——教程代码里的一行——两个 bug 都能避免。',
        },
      },
      hints: { setup: '这一课需要 fork 模型并开着“父进程保留连接”：离开这一课再重新打开，会重启它的服务器。' },
    },
  },
};
