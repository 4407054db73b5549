// Lesson: beyond the tutorial, the prefork pool — long-lived workers that share the listening
// socket and accept by themselves (Apache prefork, gunicorn's sync workers) save a process start
// per request. Measured here, fork against prefork, with the same burst.
import type { FireRecord, Lesson, World } from './types';

/** The best all-200 measurement of each model in the window. */
export function measured(w: World, model: string): FireRecord | null {
  const ok = w.fires.filter((f) => f.model === model && f.total > 0 && (f.statuses['200'] ?? 0) === f.total);
  return ok.length ? ok[ok.length - 1] : null;
}

const BURST = { path: '/hello', clients: '4', conns: '15', timeoutS: '30' };

export const prefork: Lesson = {
  id: 'prefork',
  part: 'beyond',
  preset: { model: 'fork', reap: 'loop', appChoice: 'hello' },
  code: {
    lines: [
      'listen_socket.listen(128)',
      '# start the workers once',
      'for _ in range(WORKERS):',
      '    if os.fork() == 0:',
      '        # each one accepts by itself',
      '        while True:',
      '            conn, addr = listen_socket.accept()',
      '            handle_request(conn)',
      '            conn.close()',
      '# the master only watches them',
      'while True:',
      '    pid, status = os.wait()',
    ],
    events: { fork: 3, 'worker-ready': 5, accept: 6, request: 7, close: 8, reap: 11 },
    here: { file: 'server-core/worker/pool.ts', fn: 'run' },
  },
  steps: [
    { kind: 'explain', id: 'cost', line: 3 },
    { kind: 'predict', id: 'faster', choices: ['fork', 'prefork', 'same'], answer: 'prefork', reveal: 'compare' },
    { kind: 'do', id: 'measure-fork', action: { kind: 'fire', client: BURST } },
    { kind: 'do', id: 'start-prefork', action: { kind: 'start', server: { model: 'prefork', workers: '2' } } },
    { kind: 'do', id: 'measure-prefork', action: { kind: 'fire', client: BURST } },
    {
      kind: 'check',
      id: 'compare',
      from: 'measure-fork',
      fires: true,
      goal: (w) => (measured(w, 'fork') && measured(w, 'prefork') ? 'pass' : 'waiting'),
    },
  ],
  text: {
    en: {
      title: 'Beyond the tutorial: the prefork pool',
      summary: 'Start the workers once and let them accept by themselves: no process start per request.',
      steps: {
        cost: {
          title: 'Pay for the process once',
          body: 'A process per connection pays a process start for every request. A prefork server starts N workers once; they share the listening socket and each calls accept() itself — the kernel hands every connection to one of them. Apache’s prefork and gunicorn’s sync workers work this way.',
        },
        faster: {
          title: 'Guess first',
          body: 'The same 60 requests (4 clients × 15 each) against the fork model, then against a prefork pool of 2. Which serves more per second on this machine?',
          choices: { fork: 'fork — a fresh process each time', prefork: 'prefork — long-lived workers', same: 'about the same' },
          why: 'Starting a process costs tens of milliseconds here; a prefork worker has already paid it and only accepts, reads, answers and closes.',
        },
        'measure-fork': { title: 'Measure the fork model', body: 'Fire 60 requests at the fork model.', button: 'Fire 4 × 15' },
        'start-prefork': { title: 'Switch to prefork', body: 'Restart the server as a prefork pool of 2 workers.', button: 'Start prefork (2 workers)' },
        'measure-prefork': { title: 'Measure prefork', body: 'Fire the same 60 requests at the prefork pool.', button: 'Fire 4 × 15' },
        compare: {
          title: 'Check: both measured',
          body: 'Waiting for one complete measurement of each model (every answer 200).',
          hint: 'Fire the burst once with the fork model and once with prefork.',
          passed: 'Both measured on this machine, with the same burst and the same app: the numbers are side by side below.',
        },
      },
    },
    'zh-CN': {
      title: '教程之外：预派生进程池',
      summary: '只启动一次工作进程，让它们自己 accept：不必为每个请求启动进程。',
      steps: {
        cost: {
          title: '进程只付一次钱',
          body: '每个连接一个进程，每个请求都要付一次启动进程的代价。prefork 服务器一次启动 N 个工作进程；它们共享监听 socket，各自调用 accept()——内核把每个连接交给其中一个。Apache 的 prefork 和 gunicorn 的 sync worker 就是这样工作的。',
        },
        faster: {
          title: '先猜一猜',
          body: '同样的 60 个请求（4 个客户端 × 每个 15 个），先发给 fork 模型，再发给 2 个工作进程的 prefork 进程池。在这台机器上哪个每秒处理得更多？',
          choices: { fork: 'fork——每次一个新进程', prefork: 'prefork——长期存在的工作进程', same: '差不多' },
          why: '在这里启动一个进程要几十毫秒；prefork 工作进程早已付过这笔钱，只需要 accept、读取、回答、关闭。',
        },
        'measure-fork': { title: '测量 fork 模型', body: '向 fork 模型发送 60 个请求。', button: '发送 4 × 15' },
        'start-prefork': { title: '换成 prefork', body: '以 2 个工作进程的 prefork 进程池重启服务器。', button: '启动 prefork（2 个工作进程）' },
        'measure-prefork': { title: '测量 prefork', body: '向 prefork 进程池发送同样的 60 个请求。', button: '发送 4 × 15' },
        compare: {
          title: '检查：两个都测量了',
          body: '等待两种模型各有一次完整的测量（每个回答都是 200）。',
          hint: '用 fork 模型发送一次，再用 prefork 发送一次。',
          passed: '两个都在这台机器上测量了，同样的请求、同样的应用：数字并排列在下面。',
        },
      },
    },
  },
};
