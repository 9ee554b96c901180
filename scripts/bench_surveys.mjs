// The survey submission benchmark's load (see scripts/bench.sh surveys): autocannon, in
// another process than the server, first on /healthz for a baseline, then posting one
// answer per link (each link once, so every request records a response) through the real
// rate limiter, each request from its own client address as a trusted proxy reports it.
//
// Usage: node scripts/bench_surveys.mjs BASE_URL TOKENS_FILE [LINKS] [CONNECTIONS]
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

// autocannon is installed with the browser tests' packages (end2end/package.json).
const require = createRequire(new URL('../end2end/package.json', import.meta.url));
const autocannon = require('autocannon');

const [base, file, links = '40000', connections = '64'] = process.argv.slice(2);
const [fieldLine, ...tokens] = readFileSync(file, 'utf8').trim().split('\n');
const [nps, csat, comment] = fieldLine.split(' ');
let next = 0;

function run(options) {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

// The server's CPU time so far in ms (user + system, from /proc; SERVER_PID names it), or
// null. Its time per request is steadier than the rate on a shared, noisy machine: it does
// not count time spent waiting for a core.
function serverCpuMs() {
  const pid = process.env.SERVER_PID;
  if (!pid) return null;
  try {
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

function line(label, r, cpuBefore) {
  const ok = r['2xx'] + r['3xx'];
  const cpuAfter = serverCpuMs();
  const cpu =
    cpuBefore === null || cpuAfter === null
      ? ''
      : `  server CPU ${((cpuAfter - cpuBefore) / Math.max(ok, 1)).toFixed(3)} ms/req ` +
        `(${((cpuAfter - cpuBefore) / 1000 / r.duration).toFixed(2)} cores)`;
  console.log(
    `${label.padEnd(22)} ${(ok / r.duration).toFixed(0).padStart(7)} req/s  ` +
      `p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  ok ${ok}  4xx ${r['4xx']}  5xx ${r['5xx']}  errors ${r.errors}${cpu}`,
  );
}

const healthzCpu = serverCpuMs();
const healthz = await run({ url: `${base}/healthz`, connections: Number(connections), duration: 5 });
line('healthz', healthz, healthzCpu);

const address = (n) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
const submissionsCpu = serverCpuMs();
const submissions = await run({
  url: base,
  connections: Number(connections),
  // Exactly one request per link, so each records a response.
  amount: Math.min(Number(links), tokens.length),
  requests: [
    {
      method: 'POST',
      setupRequest: (request) => {
        const n = next++ % tokens.length;
        // Uniform NPS by default (64% detractors, each opening a complaint); with
        // SCORES=promoters every answer is a 9 or 10, which opens none.
        const score = process.env.SCORES === 'promoters' ? 9 + (n % 2) : n % 11;
        return {
          ...request,
          path: `/s/${tokens[n]}`,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-forwarded-for': address(n + 1),
            origin: base,
          },
          body: `${nps}=${score}&${csat}=${1 + (n % 5)}&${comment}=${encodeURIComponent('报告及时，沟通顺畅')}`,
        };
      },
    },
  ],
});
line('survey submission', submissions, submissionsCpu);
