// Lesson: SIGCHLD and wait(), and EINTR (the tutorial's Part 3) — the kernel tells the parent
// that a child exited with SIGCHLD; a handler that calls wait() reaps it; a signal arriving
// while the parent blocks in accept() interrupts the call (EINTR), which is then restarted.
import { eventsOf, model } from './goals';
import type { Lesson, World } from './types';

/** A child reaped by the wait() of a SIGCHLD handler, after its SIGCHLD, and gone from /proc. */
function reapedOnSignal(w: World): boolean {
  const firstSignal = w.events.findIndex((e) => e.type === 'sigchld');
  if (firstSignal < 0) return false;
  const reaped = w.events.slice(firstSignal).filter((e) => e.type === 'reap' && e.by === 'wait');
  return reaped.some((r) => r.type === 'reap' && !w.procs.some((p) => p.pid === r.child && p.state !== 'reaped'));
}

export const sigchldEintr: Lesson = {
  id: 'sigchld-eintr',
  part: 'sigchld',
  preset: { model: 'fork', reap: 'wait', appChoice: 'hello' },
  code: {
    lines: [
      'def grim_reaper(signum, frame):',
      '    pid, status = os.wait()',
      '',
      'signal.signal(signal.SIGCHLD, grim_reaper)',
      'while True:',
      '    try:',
      '        conn, addr = listen_socket.accept()',
      '    except IOError as e:',
      '        code, msg = e.args',
      '        if code == errno.EINTR:',
      "            continue  # restart 'accept'",
      '        raise',
    ],
    events: { sigchld: 0, reap: 1, accept: 6, eintr: 10 },
    here: { file: 'server-core/sigchld-eintr.ts', fn: 'oneWaitingThread' },
  },
  steps: [
    { kind: 'explain', id: 'handler', line: 3 },
    { kind: 'do', id: 'one', action: { kind: 'fire', client: { path: '/hello' } } },
    {
      kind: 'check',
      id: 'reaped',
      goal: (w) => {
        if (model(w) !== 'fork') return { fail: 'model' };
        if (w.run.reap !== 'wait') return { fail: 'policy' };
        return reapedOnSignal(w) ? 'pass' : 'waiting';
      },
    },
    { kind: 'explain', id: 'eintr', line: 6 },
    { kind: 'do', id: 'burst', action: { kind: 'fire', client: { path: '/hello', clients: '10', conns: '1' } } },
    { kind: 'check', id: 'interrupted', goal: (w) => (eventsOf(w, 'eintr').length > 0 ? 'pass' : 'waiting') },
  ],
  text: {
    en: {
      title: 'SIGCHLD and wait(); EINTR',
      summary: 'The kernel signals the parent when a child exits; a handler that calls wait() reaps it — and interrupts whatever the parent was blocked in.',
      steps: {
        handler: {
          title: 'A handler for SIGCHLD',
          body: 'When a child exits the kernel sends its parent SIGCHLD. The tutorial installs a handler, grim_reaper, that calls wait() and so collects the child at once. The server now runs with reaping “wait”: one wait() per SIGCHLD.',
        },
        one: { title: 'One request', body: 'Send one request: a worker starts, answers and exits.', button: 'Send GET /hello' },
        reaped: {
          title: 'Check: reaped on its SIGCHLD',
          body: 'Waiting for a SIGCHLD, then a wait() that collects the worker, and /proc no longer listing it.',
          hint: 'Send the request; the server must run with reaping “wait” (the lesson starts it).',
          passed: 'SIGCHLD arrived, the handler’s wait() collected the exit status, and the process is gone from /proc — it was a zombie for a moment only (see its reap in the timeline).',
        },
        eintr: {
          title: 'EINTR: an interrupted call',
          body: 'The master spends its time blocked, waiting for the next connection. A signal that arrives meanwhile runs the handler and makes the blocked call fail with EINTR (“interrupted system call”); the tutorial catches it and calls accept() again. The kernel gives a child’s SIGCHLD first to the thread that started the child; forkscope’s master starts its workers and waits for connections (in poll()) on one and the same thread, so a burst of exits interrupts that wait for real.',
        },
        burst: { title: 'Ten requests', body: 'Fire 10 requests: ten workers exit while the master is blocked.', button: 'Fire 10 requests' },
        interrupted: {
          title: 'Check: an interrupted call',
          body: 'Waiting for a blocked call to fail with EINTR and be re-issued.',
          hint: 'Fire the burst again: a signal must land while the master is blocked.',
          passed: 'The kernel interrupted the blocked call with EINTR; the master called it again, as the tutorial restarts accept().',
        },
      },
      hints: {
        model: 'This lesson needs the fork model: leave the lesson and open it again to restart its server.',
        policy: 'Reaping must be “wait” for this step: set it back (Server & client tab), then send again.',
      },
    },
    'zh-CN': {
      title: 'SIGCHLD 与 wait()；EINTR',
      summary: '子进程退出时，内核给父进程发信号；调用 wait() 的信号处理函数回收它——同时打断父进程正阻塞着的调用。',
      steps: {
        handler: {
          title: 'SIGCHLD 的处理函数',
          body: '子进程退出时，内核给它的父进程发送 SIGCHLD。教程安装了一个处理函数 grim_reaper，在里面调用 wait()，马上取走子进程。现在服务器的回收策略是 “wait”：每个 SIGCHLD 调用一次 wait()。',
        },
        one: { title: '一个请求', body: '发送一个请求：一个工作进程启动、回答、退出。', button: '发送 GET /hello' },
        reaped: {
          title: '检查：收到 SIGCHLD 就回收',
          body: '等待一个 SIGCHLD，然后一次 wait() 取走工作进程，/proc 里不再有它。',
          hint: '发送请求；服务器的回收策略必须是 “wait”（这一课会启动它）。',
          passed: 'SIGCHLD 到了，处理函数的 wait() 取走了退出状态，进程从 /proc 里消失了——它只做了一小会儿僵尸进程（看时间线里它的 reap）。',
        },
        eintr: {
          title: 'EINTR：被打断的调用',
          body: '主进程大部分时间都阻塞着，等下一个连接。这时到来的信号会运行处理函数，并让阻塞的调用以 EINTR（interrupted system call）失败；教程捕获它，再调用一次 accept()。内核会把子进程的 SIGCHLD 优先交给启动这个子进程的线程；forkscope 的主进程在同一个线程里启动工作进程、等待连接（阻塞在 poll() 上），所以一批子进程退出会真的打断这次等待。',
        },
        burst: { title: '十个请求', body: '发送 10 个请求：十个工作进程在主进程阻塞时退出。', button: '发送 10 个请求' },
        interrupted: {
          title: '检查：一次被打断的调用',
          body: '等待一个阻塞的调用以 EINTR 失败并被重新调用。',
          hint: '再发送一批：信号必须在主进程阻塞时到来。',
          passed: '内核用 EINTR 打断了阻塞的调用；主进程又调用了一次，就像教程重新调用 accept()。',
        },
      },
      hints: {
        model: '这一课需要 fork 模型：离开这一课再重新打开，会重启它的服务器。',
        policy: '这一步需要回收策略为 “wait”：把它改回来（“服务器与客户端”标签页），再发送一次。',
      },
    },
  },
};
