// A Hono app, unchanged: forkscope serves it through the fetch interface, the way the tutorial's
// server serves any WSGI app through its gateway (Part 2).
//   npx forkscope serve ./examples/app.mjs:default.fetch --interface fetch
//   npx forkscope fire http://127.0.0.1:8888/
import { Hono } from 'hono';

const app = new Hono();

app.get('/', (c) => c.text('Hello from Hono, served by forkscope\n'));

app.get('/hello', (c) => c.text(`Hello, ${c.req.query('name') ?? 'world'}\n`));

app.post('/echo', async (c) => c.json({ received: await c.req.text() }));

export default app;
