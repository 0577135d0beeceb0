// Preloaded with `node --require` into a process that must not use the network. Node runs
// `--require` modules in every worker thread as well, so the inference worker is covered too.
// Every outbound connection and DNS lookup is recorded (one JSON line per attempt in the file
// named by EXPERT_ACTIVATION_NETWORK_LOG) and then fails with an error, before any socket opens.

'use strict';

const fs = require('node:fs');
const { isMainThread, threadId } = require('node:worker_threads');

const logFile = process.env.EXPERT_ACTIVATION_NETWORK_LOG;
if (!logFile) throw new Error('blockNetwork.cjs needs EXPERT_ACTIVATION_NETWORK_LOG, the file to record attempts in.');

// One line per thread that loaded this file, so the test can see that the worker threads did.
fs.appendFileSync(logFile, `${JSON.stringify({ api: 'preload', target: '', thread: isMainThread ? 'main' : `worker ${threadId}`, stack: '' })}\n`);

function describeTarget(args) {
  const first = args[0];
  if (typeof first === 'string' || typeof first === 'number') return String(first) + (args[1] !== undefined && typeof args[1] !== 'function' && typeof args[1] !== 'object' ? `:${args[1]}` : '');
  if (first instanceof URL) return first.href;
  if (first && typeof first === 'object') {
    if (typeof first.href === 'string') return first.href;
    if (typeof first.url === 'string') return first.url;
    return `${first.host ?? first.hostname ?? first.path ?? '?'}:${first.port ?? ''}`;
  }
  return typeof first;
}

function blocked(api, args) {
  const entry = { api, target: describeTarget(args), thread: isMainThread ? 'main' : `worker ${threadId}`, stack: new Error().stack.split('\n').slice(2, 8).join('\n') };
  fs.appendFileSync(logFile, `${JSON.stringify(entry)}\n`);
  const error = new Error(`Network access is blocked in this test: ${api} ${entry.target}`);
  error.code = 'ENETUNREACH';
  return error;
}

function replace(object, name, api) {
  if (!object || typeof object[name] !== 'function') return;
  object[name] = function blockedCall(...args) {
    const error = blocked(api, args);
    const callback = args[args.length - 1];
    if (api.startsWith('dns.') && typeof callback === 'function') {
      process.nextTick(() => callback(error));
      return undefined;
    }
    throw error;
  };
}

const net = require('node:net');
replace(net.Socket.prototype, 'connect', 'net.Socket.connect');
replace(net, 'connect', 'net.connect');
replace(net, 'createConnection', 'net.createConnection');

const tls = require('node:tls');
replace(tls, 'connect', 'tls.connect');

for (const moduleName of ['http', 'https']) {
  const module = require(`node:${moduleName}`);
  replace(module, 'request', `${moduleName}.request`);
  replace(module, 'get', `${moduleName}.get`);
}
replace(require('node:http2'), 'connect', 'http2.connect');

const dns = require('node:dns');
for (const name of ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCname', 'resolveMx', 'resolveTxt', 'resolveSrv', 'reverse']) {
  replace(dns, name, `dns.${name}`);
}
for (const name of ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'reverse']) {
  const original = dns.promises[name];
  if (typeof original !== 'function') continue;
  dns.promises[name] = async (...args) => {
    throw blocked(`dns.promises.${name}`, args);
  };
}

const dgram = require('node:dgram');
replace(dgram.Socket.prototype, 'send', 'dgram.Socket.send');
replace(dgram.Socket.prototype, 'connect', 'dgram.Socket.connect');

if (typeof globalThis.fetch === 'function') {
  globalThis.fetch = async (...args) => {
    throw blocked('fetch', args);
  };
}
if (typeof globalThis.WebSocket === 'function') {
  globalThis.WebSocket = function BlockedWebSocket(...args) {
    throw blocked('WebSocket', args);
  };
}
