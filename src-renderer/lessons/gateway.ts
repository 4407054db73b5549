// Lesson: the gateway of the tutorial's Part 2 (WSGI) — the server builds environ and calls
// app(environ, start_response); the same server runs apps written for other frameworks unchanged.
import { clientDone, eventsOf } from './goals';
import type { Lesson, World } from './types';

/** The app the run that is listening now was started with. */
const appOf = (w: World): string | null => w.run.listening?.app ?? null;

export const gateway: Lesson = {
  id: 'gateway',
  part: 'gateway',
  preset: { model: 'iterative', reap: 'loop', appChoice: 'echo', interface: 'wsgi' },
  code: {
    lines: [
      'def handle_one_request(self):',
      '    self.request_data = self.client_connection.recv(1024)',
      '    self.parse_request(self.request_data)',
      '    env = self.get_environ()',
      '    result = self.application(env, self.start_response)',
      '    self.finish_response(result)',
      '',
      'def start_response(self, status, response_headers, exc_info=None):',
      "    server_headers = [('Date', '...'), ('Server', 'WSGIServer 0.2')]",
      '    self.headers_set = [status, response_headers + server_headers]',
      '',
      '# python webserver2.py module:callable',
      "module, application = sys.argv[1].split(':')",
      'application = getattr(__import__(module), application)',
    ],
    events: { listening: 13, accept: 1, request: 2, response: 5 },
    here: { file: 'server-core/gateway/wsgi.ts', fn: 'buildEnviron' },
  },
  steps: [
    { kind: 'explain', id: 'gateway', line: 4 },
    { kind: 'do', id: 'echo', action: { kind: 'fire', client: { path: '/hello?name=learner' } } },
    {
      kind: 'check',
      id: 'environ',
      goal: (w) => {
        if (appOf(w) !== 'echo') return { fail: 'echo' };
        const environ = eventsOf(w, 'transcript').some((e) => e.dir === 'out' && e.data.includes('PATH_INFO') && e.data.includes('REQUEST_METHOD'));
        return environ && clientDone(w).includes(200) ? 'pass' : 'waiting';
      },
    },
    { kind: 'predict', id: 'change', choices: ['nothing', 'server', 'app'], answer: 'nothing', reveal: 'other' },
    {
      kind: 'do',
      id: 'hono',
      action: { kind: 'start', server: { appChoice: 'custom', customApp: './examples/app.mjs:default.fetch', interface: 'fetch' } },
    },
    { kind: 'do', id: 'fire', action: { kind: 'fire', client: { path: '/hello' } } },
    {
      kind: 'check',
      id: 'other',
      from: 'hono',
      goal: (w) => {
        const app = appOf(w);
        if (app == null || app === 'echo') return 'waiting';
        const served = eventsOf(w, 'response').some((e) => e.status === 200);
        return served && clientDone(w).includes(200) ? 'pass' : 'waiting';
      },
    },
  ],
  text: {
    en: {
      title: 'A gateway between server and app',
      summary: 'The server builds environ and calls app(environ, start_response): the same server runs apps written for different frameworks.',
      steps: {
        gateway: {
          title: 'app(environ, start_response)',
          body: 'The server does not know what the app does. For each request it builds a dictionary, environ (REQUEST_METHOD, PATH_INFO, wsgi.input …), calls the app with it and a start_response function, and sends back the status, headers and body the app returns. The server now runs the echo app, which answers with the environ it was given.',
        },
        echo: { title: 'Ask the echo app', body: 'Send GET /hello?name=learner and look at the transcript: the body is the environ the gateway built.', button: 'Send GET /hello?name=learner' },
        environ: {
          title: 'Check: the environ came back',
          body: 'Waiting for an answer whose body holds the environ (REQUEST_METHOD, PATH_INFO).',
          hint: 'Send the request; the echo app must be running (the lesson starts it).',
          passed: 'The app answered with the environ the server built: REQUEST_METHOD, PATH_INFO, QUERY_STRING and the wsgi.* keys are all there.',
        },
        change: {
          title: 'Guess first',
          body: 'Next the server runs an app written for Hono, a web framework with its own style (a fetch handler: Request in, Response out). What has to change?',
          choices: { nothing: 'Nothing: the gateway calls the new app', server: 'The server must be rewritten for Hono', app: 'The app must be rewritten as a WSGI app' },
          why: 'That is what a gateway is for: the server speaks one interface to every app. forkscope’s gateway has three (WSGI-style, fetch, Node) and picks one with --interface; the app is used as its authors wrote it.',
        },
        hono: { title: 'Run a Hono app', body: 'Restart the server with examples/app.mjs, a small Hono app, through the fetch interface.', button: 'Start examples/app.mjs' },
        fire: { title: 'Ask it', body: 'Send GET /hello to the new app.', button: 'Send GET /hello' },
        other: {
          title: 'Check: the same server, another app',
          body: 'Waiting for the Hono app to answer a request through the same server.',
          hint: 'Start the Hono app with the button two steps back, then send the request.',
          passed: 'The same server code served an app from another framework: only the app spec changed.',
        },
      },
      hints: { echo: 'The echo app is not running: leave the lesson and open it again to restart its server.' },
    },
    'zh-CN': {
      title: '服务器与应用之间的网关',
      summary: '服务器构造 environ 并调用 app(environ, start_response)：同一个服务器可以运行不同框架写的应用。',
      steps: {
        gateway: {
          title: 'app(environ, start_response)',
          body: '服务器并不知道应用做什么。每个请求到来时，它构造一个字典 environ（REQUEST_METHOD、PATH_INFO、wsgi.input……），连同 start_response 函数一起传给应用，再把应用返回的状态、响应头和响应体发回去。现在服务器运行的是 echo 应用，它把收到的 environ 原样返回。',
        },
        echo: { title: '问问 echo 应用', body: '发送 GET /hello?name=learner，再看收发记录：响应体就是网关构造的 environ。', button: '发送 GET /hello?name=learner' },
        environ: {
          title: '检查：environ 回来了',
          body: '等待一个响应体里带着 environ（REQUEST_METHOD、PATH_INFO）的回答。',
          hint: '发送请求；echo 应用必须在运行（这一课会启动它）。',
          passed: '应用用服务器构造的 environ 作了回答：REQUEST_METHOD、PATH_INFO、QUERY_STRING 和 wsgi.* 都在。',
        },
        change: {
          title: '先猜一猜',
          body: '接下来服务器要运行一个为 Hono 写的应用，Hono 是另一种风格的 web 框架（fetch 处理函数：Request 进，Response 出）。需要改什么？',
          choices: { nothing: '什么都不用改：网关会调用新的应用', server: '服务器要为 Hono 重写', app: '应用要改写成 WSGI 应用' },
          why: '这正是网关的作用：服务器用同一种接口和所有应用打交道。forkscope 的网关有三种（WSGI 风格、fetch、Node），用 --interface 选择；应用按作者写的样子直接使用。',
        },
        hono: { title: '运行一个 Hono 应用', body: '用 fetch 接口，以 examples/app.mjs（一个小小的 Hono 应用）重启服务器。', button: '启动 examples/app.mjs' },
        fire: { title: '问问它', body: '向新的应用发送 GET /hello。', button: '发送 GET /hello' },
        other: {
          title: '检查：同一个服务器，另一个应用',
          body: '等待 Hono 应用通过同一个服务器回答一个请求。',
          hint: '先用前两步的按钮启动 Hono 应用，再发送请求。',
          passed: '同一份服务器代码运行了另一个框架的应用：只改了应用的名字。',
        },
      },
      hints: { echo: 'echo 应用没有在运行：离开这一课再重新打开，会重启它的服务器。' },
    },
  },
};
