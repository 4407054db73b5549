// Lesson: zombies (the tutorial's Part 3, zombie processes) — a child that exited and was not
// waited for stays in the process table as Z; kill -9 cannot remove it; only wait() does.
import { eventsOf, model, reapPolicy } from './goals';
import type { Lesson, World } from './types';

/** A SIGKILL went to a zombie, /proc has been read since, and it is still a zombie. */
function killedAndStillZombie(w: World): boolean {
  let signalledAt = -1;
  let pid = -1;
  w.events.forEach((e, i) => {
    if (e.type === 'signal-sent' && (e.signal === 'SIGKILL' || e.signal === '9') && w.zombies.pids.includes(e.child)) {
      signalledAt = i;
      pid = e.child;
    }
  });
  if (signalledAt < 0) return false;
  const sampledSince = w.events.slice(signalledAt + 1).some((e) => e.type === 'proc');
  return sampledSince && w.procs.some((p) => p.pid === pid && p.state === 'zombie');
}

export const zombies: Lesson = {
  id: 'zombies',
  part: 'zombies',
  preset: { model: 'fork', reap: 'none', appChoice: 'hello' },
  code: {
    lines: [
      'while True:',
      '    conn, addr = listen_socket.accept()',
      '    pid = os.fork()',
      '    if pid == 0:',
      '        listen_socket.close()',
      '        handle_request(conn)',
      '        conn.close()',
      '        os._exit(0)   # the child exits…',
      '    else:',
      '        # …and nobody calls wait()',
      '        conn.close()',
    ],
    events: { accept: 1, fork: 2, exit: 7, zombies: 9 },
    here: { file: 'server-core/zombies.ts', fn: 'endedAmong' },
  },
  steps: [
    { kind: 'explain', id: 'zombie', line: 7 },
    { kind: 'predict', id: 'how-many', choices: ['0', '5', '1'], answer: '5', reveal: 'zombies' },
    { kind: 'do', id: 'five', action: { kind: 'fire', client: { path: '/hello', clients: '5', conns: '1' } } },
    {
      kind: 'check',
      id: 'zombies',
      goal: (w) => {
        if (model(w) !== 'fork') return { fail: 'model' };
        if (reapPolicy(w) !== 'none') return { fail: 'reaping' };
        return w.zombies.count >= 5 ? 'pass' : 'waiting';
      },
    },
    { kind: 'predict', id: 'kill', choices: ['gone', 'stays', 'master'], answer: 'stays', reveal: 'still-zombie' },
    { kind: 'do', id: 'sigkill', action: { kind: 'signal-zombie', signal: 'SIGKILL' } },
    { kind: 'check', id: 'still-zombie', goal: (w) => (killedAndStillZombie(w) ? 'pass' : 'waiting') },
    { kind: 'explain', id: 'only-wait', line: 9 },
    { kind: 'do', id: 'reap', action: { kind: 'command', cmd: { cmd: 'reap-now' } } },
    {
      kind: 'check',
      id: 'gone',
      goal: (w) => (eventsOf(w, 'reap').length > 0 && w.zombies.count === 0 && w.events.some((e) => e.type === 'proc') ? 'pass' : 'waiting'),
    },
  ],
  text: {
    en: {
      title: 'Zombies',
      summary: 'A child that has exited but was never waited for stays in the process table as a zombie.',
      steps: {
        zombie: {
          title: 'Exited, but not gone',
          body: 'When a process exits, the kernel keeps a small record of it — its pid and exit status — until its parent collects it with wait(). Until then it is a zombie: state Z in /proc. The server now runs with reaping “none”: nobody calls wait().',
        },
        'how-many': {
          title: 'Guess first',
          body: 'Five requests, five workers, and nobody calls wait(). After the five answers, how many zombies does the kernel show?',
          choices: { '0': '0 — they exited', '5': '5 — one per worker', '1': '1 — they share one entry' },
          why: 'Each worker exits after its answer and stays a zombie: its parent never asked for its exit status.',
        },
        five: { title: 'Five requests', body: 'Fire 5 requests at once and watch the process tree turn red.', button: 'Fire 5 requests' },
        zombies: {
          title: 'Check: zombies in /proc',
          body: 'Waiting for /proc to show at least five of the master’s children in state Z.',
          hint: 'Fire the requests; the server must be the fork model with reaping “none” (the lesson starts it).',
          passed: 'Five children are in state Z, as /proc reads them: exited, not waited for.',
        },
        kill: {
          title: 'Guess first',
          body: 'Send SIGKILL (kill -9) to one of the zombies. What happens?',
          choices: { gone: 'It disappears', stays: 'It stays a zombie', master: 'The master dies' },
          why: 'A zombie is already dead: there is no process left to kill, only its entry in the process table. A signal cannot remove it; only its parent’s wait() can.',
        },
        sigkill: { title: 'kill -9 a zombie', body: 'Send SIGKILL to one zombie (click any red process to do it by hand).', button: 'kill -9 one zombie' },
        'still-zombie': {
          title: 'Check: still a zombie',
          body: 'Waiting for SIGKILL to be sent and /proc to be read again.',
          hint: 'Press the button of the step before, or send SIGKILL from a zombie’s details.',
          passed: 'SIGKILL was really sent with kill(2), and /proc still shows the process in state Z.',
        },
        'only-wait': {
          title: 'Only wait() removes them',
          body: 'Zombies cost no memory, but every one holds a pid. Too many and fork() fails with EAGAIN (Resource temporarily unavailable): the server cannot start new workers. The cure is the parent calling wait().',
        },
        reap: { title: 'Reap them', body: 'Ask the master to run a waitpid() loop now.', button: 'Reap now' },
        gone: {
          title: 'Check: no zombie left',
          body: 'Waiting for the reaps and for /proc to show no zombie.',
          hint: 'Press the button of the step before.',
          passed: 'waitpid() collected every exit status, and the kernel freed the entries: /proc shows no zombie.',
        },
      },
      hints: {
        model: 'This lesson needs the fork model: leave the lesson and open it again to restart its server.',
        reaping: 'Reaping is on, so no zombie stays: set reaping to “none” (Server & client tab), then fire again.',
      },
    },
    'zh-CN': {
      title: '僵尸进程',
      summary: '已经退出、却从来没有被 wait() 过的子进程，作为僵尸进程留在进程表里。',
      steps: {
        zombie: {
          title: '退出了，却没有消失',
          body: '进程退出时，内核会留下一小份记录——它的 pid 和退出状态——直到父进程用 wait() 取走。在那之前它就是僵尸进程：/proc 里的状态是 Z。现在服务器的回收策略是 “none”：没有人调用 wait()。',
        },
        'how-many': {
          title: '先猜一猜',
          body: '五个请求，五个工作进程，没有人调用 wait()。五个回答之后，内核显示有几个僵尸进程？',
          choices: { '0': '0 个——它们都退出了', '5': '5 个——每个工作进程一个', '1': '1 个——它们共用一个表项' },
          why: '每个工作进程回答完就退出，然后一直是僵尸进程：它的父进程从来没有要过它的退出状态。',
        },
        five: { title: '五个请求', body: '同时发送 5 个请求，看进程树变红。', button: '发送 5 个请求' },
        zombies: {
          title: '检查：/proc 里的僵尸进程',
          body: '等待 /proc 显示主进程至少有五个子进程处于 Z 状态。',
          hint: '发送请求；服务器必须是 fork 模型、回收策略为 “none”（这一课会启动它）。',
          passed: '五个子进程处于 Z 状态，/proc 就是这么写的：已经退出，没有被 wait()。',
        },
        kill: {
          title: '先猜一猜',
          body: '给其中一个僵尸进程发送 SIGKILL（kill -9）。会怎样？',
          choices: { gone: '它消失了', stays: '它还是僵尸进程', master: '主进程死了' },
          why: '僵尸进程已经死了：没有进程可杀，只剩进程表里的一项。信号清除不了它，只有父进程的 wait() 可以。',
        },
        sigkill: { title: 'kill -9 一个僵尸进程', body: '给一个僵尸进程发送 SIGKILL（也可以点任意一个红色进程手动发送）。', button: 'kill -9 一个僵尸进程' },
        'still-zombie': {
          title: '检查：还是僵尸进程',
          body: '等待 SIGKILL 发出、/proc 再次被读取。',
          hint: '点上一步的按钮，或者在僵尸进程的详情里发送 SIGKILL。',
          passed: 'SIGKILL 确实用 kill(2) 发出去了，/proc 里这个进程仍然是 Z 状态。',
        },
        'only-wait': {
          title: '只有 wait() 能清除它们',
          body: '僵尸进程不占内存，但每个都占着一个 pid。太多了，fork() 就会以 EAGAIN（Resource temporarily unavailable）失败：服务器再也启动不了新的工作进程。解药是父进程调用 wait()。',
        },
        reap: { title: '回收它们', body: '让主进程现在运行一次 waitpid() 循环。', button: '立即回收' },
        gone: {
          title: '检查：一个僵尸进程也不剩',
          body: '等待回收完成、/proc 不再显示僵尸进程。',
          hint: '点上一步的按钮。',
          passed: 'waitpid() 取走了每个退出状态，内核释放了表项：/proc 里没有僵尸进程了。',
        },
      },
      hints: {
        model: '这一课需要 fork 模型：离开这一课再重新打开，会重启它的服务器。',
        reaping: '回收开着，所以不会留下僵尸进程：把回收策略设为 “none”（“服务器与客户端”标签页），再发送一次。',
      },
    },
  },
};
