// Preloaded into a command (NODE_OPTIONS=--import) to record every TCP connection and DNS
// lookup it attempts, in the file named by NO_NETWORK_LOG. Local pipes are not recorded.
import dns from 'node:dns';
import { appendFileSync } from 'node:fs';
import net from 'node:net';

const log = (what) => appendFileSync(process.env.NO_NETWORK_LOG, `${JSON.stringify(what)}\n`);

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const [first] = args;
  const options = Array.isArray(first) ? first[0] : first;
  const pipe = typeof options === 'string' || (options && typeof options === 'object' && typeof options.path === 'string');
  if (!pipe) log({ connect: options });
  return connect.apply(this, args);
};
const lookup = dns.lookup;
dns.lookup = function (host, ...rest) {
  log({ lookup: host });
  return lookup.call(this, host, ...rest);
};
