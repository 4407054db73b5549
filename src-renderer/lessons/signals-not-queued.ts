// Lesson: signals are not queued (the tutorial's Part 3) — a burst of exits raises fewer
// SIGCHLDs than children, so one wait() per signal leaves zombies; a waitpid(-1, WNOHANG) loop
// in the handler collects them all.
//
// The exits must really come together: the kernel merges a SIGCHLD only into one still pending,
// and a master that answers in microseconds rarely leaves one pending for long. So the burst is
// the tutorial's client3.py hanging up: twenty clients connect, send nothing, and close a second
// later, together; their children, each waiting in recv(), see EOF and exit in the same instant.
import { childrenSettled, count } from './goals';
import type { Lesson } from './types';

/** Twenty connections that send nothing, held open a second, then closed together. */
const TOGETHER = { kind: 'hold', holdS: '1', sendNothing: true, path: '/hello', clients: '20', conns: '1' } as const;

export const signalsNotQueued: Lesson = {
  id: 'signals-not-queued',
  part: 'notQueued',
  preset: { model: 'fork', reap: 'wait', appChoice: 'hello' },
  code: {
    lines: [
      'def grim_reaper(signum, frame):',
      '    # one child per SIGCHLD',
      '    pid, status = os.wait()',
      '',
      '# the fix: reap until none is left',
      'def grim_reaper(signum, frame):',
      '    while True:',
      '        try:',
      '            pid, status = os.waitpid(',
      '                -1, os.WNOHANG)',
      '        except OSError:',
      '            return',
      '        if pid == 0:  # no more zombies',
      '            return',
    ],
    events: { sigchld: 0, exit: 2, 'reap-policy': 5 },
    here: { file: 'server-core/reaper.ts', fn: 'answerSignal' },
  },
  steps: [
    { kind: 'explain', id: 'merge', line: 2 },
    { kind: 'predict', id: 'left', choices: ['none', 'some', 'all'], answer: 'some', reveal: 'leftover' },
    { kind: 'do', id: 'burst', action: { kind: 'fire', client: TOGETHER } },
    {
      kind: 'check',
      id: 'leftover',
      goal: (w) => {
        if (w.run.reap !== 'wait') return { fail: 'policy' };
        const exits = count(w, 'exit');
        // Judged once the burst has settled: a child between its exit and the wait() its SIGCHLD
        // brings is a zombie for a moment, not one left behind.
        if (w.fires.length === 0 || exits === 0 || !childrenSettled(w, 300)) return 'waiting';
        return count(w, 'sigchld') < exits && w.zombies.count > 0 ? 'pass' : 'waiting';
      },
    },
    { kind: 'explain', id: 'loop', line: 8 },
    { kind: 'do', id: 'switch', action: { kind: 'command', cmd: { cmd: 'set-reap', policy: 'loop' } } },
    { kind: 'do', id: 'again', action: { kind: 'fire', client: TOGETHER } },
    {
      kind: 'check',
      id: 'none-left',
      goal: (w) => {
        if (w.run.reap !== 'loop') return { fail: 'loop' };
        const exits = count(w, 'exit');
        // The burst is over (its result is in), every exit was reaped, and /proc shows no zombie.
        return w.fires.length > 0 && exits >= 20 && count(w, 'reap') >= exits && w.zombies.count === 0 ? 'pass' : 'waiting';
      },
    },
  ],
  text: {
    en: {
      title: 'Signals are not queued',
      summary: 'Pending signals of one kind merge: a burst of exits raises fewer SIGCHLDs than children — so reap in a loop.',
      steps: {
        merge: {
          title: 'One wait() per signal',
          body: 'The kernel keeps one pending flag per signal, not a count. If several children exit before the handler runs, their SIGCHLDs merge into one, and a handler that calls wait() once collects one child. The server runs with reaping “wait”, the tutorial’s first handler.',
        },
        left: {
          title: 'Guess first',
          body: 'Twenty children exit in the same instant; the handler calls wait() once per SIGCHLD. How many zombies are left?',
          choices: { none: 'None', some: 'Some', all: 'All twenty' },
          why: 'Some SIGCHLDs merged: fewer handler runs than exits, so some children were never waited for. How many varies from run to run — it depends on when each exit lands.',
        },
        burst: {
          title: 'Twenty at once',
          body: 'Twenty clients connect, send nothing, and hang up together a second later, as the tutorial’s client3.py does: each child is waiting in recv(), sees EOF, and exits — all in the same instant. Then compare “SIGCHLD received” with “children exited”.',
          button: 'Connect 20, hang up together',
        },
        leftover: {
          title: 'Check: signals merged, zombies left',
          body: 'Waiting for the burst to settle — every child exited, every SIGCHLD answered — then for fewer SIGCHLDs than exits, and zombies in /proc.',
          hint: 'Do the burst again: now and then every exit still gets its own SIGCHLD.',
          passed: 'Fewer SIGCHLDs arrived than children exited, and the children nobody waited for are zombies in /proc.',
        },
        loop: {
          title: 'Reap in a loop',
          body: 'The fix: on every SIGCHLD, call waitpid(-1, WNOHANG) until it says no child is left. One signal then collects every child that has exited, however many merged.',
        },
        switch: { title: 'Switch to the loop', body: 'Set reaping to “loop”. It acts on the next SIGCHLD: the zombies of before stay until then.', button: 'Reaping: loop' },
        again: { title: 'Twenty again', body: 'Twenty clients again: connect, wait a second, hang up together.', button: 'Connect 20, hang up together' },
        'none-left': {
          title: 'Check: none left',
          body: 'Waiting for every exit to be reaped and /proc to show no zombie.',
          hint: 'Set reaping to “loop”, then do the burst again.',
          passed: 'Signals merged again, but the loop collected every child: no zombie in /proc — the old ones too.',
        },
      },
      hints: {
        policy: 'Reaping must be “wait” for this step: set it back, or leave the lesson and open it again.',
        loop: 'Set reaping to “loop” first (the step before).',
      },
    },
    'zh-CN': {
      title: '信号不排队',
      summary: '同一种待处理的信号会合并：一批子进程同时退出，产生的 SIGCHLD 比子进程少——所以要循环回收。',
      steps: {
        merge: {
          title: '每个信号一次 wait()',
          body: '内核对每种信号只记一个“待处理”标志，而不是计数。如果处理函数运行之前有几个子进程退出，它们的 SIGCHLD 就合并成一个，而只调用一次 wait() 的处理函数只能取走一个子进程。现在服务器的回收策略是 “wait”，也就是教程里的第一个处理函数。',
        },
        left: {
          title: '先猜一猜',
          body: '二十个子进程在同一瞬间退出；处理函数每个 SIGCHLD 调用一次 wait()。会剩下几个僵尸进程？',
          choices: { none: '一个也没有', some: '有一些', all: '全部二十个' },
          why: '有些 SIGCHLD 合并了：处理函数运行的次数比退出的次数少，所以有些子进程从来没有被 wait()。剩下多少每次都不一样——取决于每次退出落在什么时刻。',
        },
        burst: {
          title: '二十个同时来',
          body: '二十个客户端建立连接，什么也不发送，一秒后一起挂断，就像教程里的 client3.py：每个子进程都在 recv() 里等待，读到 EOF 后退出——全在同一瞬间。然后比较“收到的 SIGCHLD”和“已退出的子进程”。',
          button: '连接 20 个，一起挂断',
        },
        leftover: {
          title: '检查：信号合并了，留下了僵尸进程',
          body: '等这一批平静下来——每个子进程都已退出、每个 SIGCHLD 都已处理——再看 SIGCHLD 是否比退出次数少，/proc 里是否有僵尸进程。',
          hint: '再来一批：偶尔每次退出仍然各有自己的 SIGCHLD。',
          passed: '收到的 SIGCHLD 比退出的子进程少，没人 wait() 的子进程在 /proc 里成了僵尸进程。',
        },
        loop: {
          title: '循环回收',
          body: '解决办法：每收到一个 SIGCHLD，就循环调用 waitpid(-1, WNOHANG)，直到它说没有子进程可收了。这样一个信号就能取走所有已退出的子进程，不管合并了多少个。',
        },
        switch: { title: '换成循环', body: '把回收策略设为 “loop”。它在下一个 SIGCHLD 到来时起作用：之前的僵尸进程会留到那时。', button: '回收策略：loop' },
        again: { title: '再来二十个', body: '再来二十个客户端：建立连接，等一秒，一起挂断。', button: '连接 20 个，一起挂断' },
        'none-left': {
          title: '检查：一个不剩',
          body: '等待每次退出都被回收，/proc 里没有僵尸进程。',
          hint: '先把回收策略设为 “loop”，再来一批。',
          passed: '信号又合并了，但循环取走了每个子进程：/proc 里没有僵尸进程——之前的也没有了。',
        },
      },
      hints: {
        policy: '这一步需要回收策略为 “wait”：把它改回来，或者离开这一课再重新打开。',
        loop: '先把回收策略设为 “loop”（上一步）。',
      },
    },
  },
};
