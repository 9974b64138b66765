// Entry of one converter thread (converter-pool.ts): runs one job at a time
// and answers with the result or the error in a form that crosses threads.
import { parentPort } from 'node:worker_threads';
import { convertJob, serializeError, type ConvertJob } from './convert-job';

const port = parentPort;
if (!port) throw new Error('convert-worker runs only as a worker thread');
port.on('message', (msg: { id: number; job: ConvertJob }) => {
  convertJob(msg.job).then(
    (result) => port.postMessage({ id: msg.id, result }),
    (e: unknown) => port.postMessage({ id: msg.id, error: serializeError(e) }),
  );
});
