// The human log of `forkscope serve` and `observe`, in English. cli-zh-CN.ts holds the same keys
// in Chinese (test/unit/i18n-catalogs.test.ts compares them). `--json` never goes through here.
export const cliEn = {
  log: {
    listening: 'Serving HTTP on {{url}} ... (app {{app}}, model {{model}}, backlog {{backlog}}, pid {{pid}}; Ctrl-C stops)',
    accept: '#{{conn}} accepted from {{address}}:{{port}}',
    acceptFd: '#{{conn}} accepted from {{address}}:{{port}} (fd {{fd}})',
    close: '#{{conn}} closed',
    queue: 'accept queue: {{length}} waiting (backlog {{backlog}}; the kernel holds backlog + 1, then drops SYNs)',
    eintr: '{{call}}() interrupted by a signal (EINTR) — issued again',
    call: '{{call}}({{args}}) = {{ret}}{{errno}}',
    error: 'error',
    notice: 'note: {{message}}',
    acceptingOn: 'accepting again',
    acceptingOnWhy: 'accepting again ({{reason}})',
    acceptingOff: 'stopped accepting',
    acceptingOffWhy: 'stopped accepting: {{reason}}',
    stopping: 'stopping ({{reason}}) ...',
    stopped: 'stopped (exit {{code}})',
    forkPool: 'worker {{child}} started for slot {{slot}} (fork + exec, {{ms}} ms)',
    forkConn: '#{{conn}} handed to worker {{child}} (fork + exec, {{ms}} ms)',
    workerReady: 'worker {{pid}} ready ({{ms}} ms after spawn)',
    sigchld: 'SIGCHLD ({{n}} so far)',
    exit: 'worker {{child}} has exited (seen via {{via}})',
    reapCode: 'exit {{code}}',
    reapSignal: 'killed by {{signal}}',
    reap: 'reaped worker {{child}} ({{how}}; {{by}})',
    reapZombie: 'reaped worker {{child}} ({{how}}, zombie for {{ms}} ms; {{by}})',
    zombies: 'zombies: {{count}}',
    zombiesPids: 'zombies: {{count}} ({{pids}})',
    signalSent: 'sent {{signal}} to {{child}} ({{reason}})',
    fdsReleased_one: 'released {{count}} kept connection fd',
    fdsReleased_other: 'released {{count}} kept connection fds',
    reapPolicy: "reaping policy is now '{{policy}}'",
  },
};

export type CliCatalog = typeof cliEn;
