// An Express app (CommonJS), unchanged: forkscope serves it through Node's own request and
// response objects, the way the tutorial's server serves any WSGI app through its gateway (Part 2).
//   npx forkscope serve ./examples/app.cjs --interface node
//   npx forkscope fire http://127.0.0.1:8888/
const express = require('express');

const app = express();

app.get('/', (req, res) => {
  res.type('text/plain').send('Hello from Express, served by forkscope\n');
});

app.get('/hello', (req, res) => {
  res.type('text/plain').send(`Hello, ${req.query.name ?? 'world'}\n`);
});

module.exports = app;
