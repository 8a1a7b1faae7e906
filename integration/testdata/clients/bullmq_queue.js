// BullMQ acceptance: a queue with plain, delayed, prioritized, retried and
// failing jobs and a parent/children flow, run by a worker of concurrency 4.
// Prints what a user would check; TestBullMQ compares it between Redis and
// Cairn. Usage: node bullmq_queue.js <port>
const { Queue, Worker, QueueEvents, FlowProducer } = require('bullmq');
const port = parseInt(process.argv[2]);
const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
(async () => {
  const q = new Queue('q', { connection });
  await q.obliterate({ force: true }).catch(() => {});
  const seen = [];
  let attempts = {};
  const w = new Worker('q', async job => {
    attempts[job.name] = (attempts[job.name] || 0) + 1;
    if (job.name === 'flaky' && job.attemptsMade < 2) throw new Error('flaky');
    if (job.name === 'bad') throw new Error('always');
    seen.push(job.name + ':' + job.data.n);
    return job.data.n * 2;
  }, { connection, concurrency: 4 });
  const jobs = [];
  for (let i = 0; i < 50; i++) jobs.push({ name: 'plain', data: { n: i } });
  await q.addBulk(jobs);
  await q.add('delayed', { n: 1000 }, { delay: 300 });
  await q.add('prio', { n: 2000 }, { priority: 1 });
  await q.add('flaky', { n: 3000 }, { attempts: 3, backoff: { type: 'fixed', delay: 50 } });
  await q.add('bad', { n: 4000 }, { attempts: 2 });
  const flow = new FlowProducer({ connection });
  await flow.add({ name: 'parent', queueName: 'q', data: { n: 5000 }, children: [
    { name: 'child', queueName: 'q', data: { n: 5001 } }, { name: 'child', queueName: 'q', data: { n: 5002 } }] });
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    const c = await q.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
    if (c.completed === 56 && c.failed === 1) break;
    await new Promise(r => setTimeout(r, 100));
  }
  const counts = await q.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
  const failed = await q.getFailed();
  const rv = (await q.getCompleted(0, 100)).map(j => j.name + '=' + j.returnvalue).sort();
  console.log(JSON.stringify(counts));
  console.log('failed', failed.map(j => j.name + ':' + j.failedReason + ':' + j.attemptsMade).join(','));
  console.log('attempts', JSON.stringify(attempts, Object.keys(attempts).sort()));
  console.log('returns', rv.length, rv.slice(0, 5).join(','));
  console.log('seen', seen.length, seen.sort().slice(0, 3).join(','));
  await w.close(); await q.close(); await flow.close();
  process.exit(0);
})().catch(e => { console.error('ERROR', e); process.exit(1); });
