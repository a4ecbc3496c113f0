// Checks client.mjs itself against a tiny scripted WebSocket server (no JointPlan needed):
// the close, permission-denied and reconnect reporting that the Python tests rely on.
// Run: npm test   (node --test selftest.mjs)
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import { WebSocketServer } from 'ws'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import * as Y from 'yjs'
import * as syncProtocol from 'y-protocols/sync'

const here = path.dirname(fileURLToPath(import.meta.url))

/** A server whose every connection runs `script(ws, request, index)`. */
const scriptedServer = async (script) => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise((resolve) => wss.on('listening', resolve))
  let count = 0
  wss.on('connection', (ws, request) => script(ws, request, count++))
  return { wss, url: `ws://127.0.0.1:${wss.address().port}/collab`, connections: () => count }
}

const startClient = (url, extra = []) => {
  const child = spawn(process.execPath, [path.join(here, 'client.mjs'), '--url', url, '--room', 'sec1', '--token', 't0k', ...extra], { stdio: ['pipe', 'pipe', 'inherit'] })
  const events = []
  const waiters = []
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    const event = JSON.parse(line)
    events.push(event)
    for (const w of [...waiters]) {
      if (w.pred(event)) { waiters.splice(waiters.indexOf(w), 1); clearTimeout(w.timer); w.resolve(event) }
    }
  })
  const waitFor = (pred, ms = 5000) => {
    const found = events.find(pred)
    if (found) return Promise.resolve(found)
    return new Promise((resolve, reject) => {
      const w = { pred, resolve, timer: setTimeout(() => reject(new Error('timeout; events: ' + JSON.stringify(events))), ms) }
      waiters.push(w)
    })
  }
  const send = (cmd) => child.stdin.write(JSON.stringify(cmd) + '\n')
  const exited = new Promise((resolve) => child.on('exit', resolve))
  return { child, events, waitFor, send, exited }
}

/** Minimal y-websocket server behaviour: answer sync step 1 with step 2 of an empty doc. */
const answerSync = (ws) => {
  const doc = new Y.Doc()
  ws.on('message', (data) => {
    const decoder = decoding.createDecoder(new Uint8Array(data))
    if (decoding.readVarUint(decoder) !== 0) return
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, 0)
    syncProtocol.readSyncMessage(decoder, encoder, doc, null)
    if (encoding.length(encoder) > 1) ws.send(encoding.toUint8Array(encoder))
  })
}

test('permission-denied auth message is reported, and the token reaches the server', async () => {
  let seenUrl = null
  const server = await scriptedServer((ws, request) => {
    seenUrl = request.url
    answerSync(ws)
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, 2) // messageAuth
    encoding.writeVarUint(encoder, 0) // permission denied
    encoding.writeVarString(encoder, 'read-only')
    ws.send(encoding.toUint8Array(encoder))
  })
  const client = startClient(server.url)
  await client.waitFor((e) => e.event === 'synced')
  const denied = await client.waitFor((e) => e.event === 'permission-denied')
  assert.equal(denied.reason, 'read-only')
  assert.equal(seenUrl, '/collab/sec1?token=t0k')
  client.send({ cmd: 'exit' })
  await client.exited
  server.wss.close()
})

test('a 44xx close is reported and not retried', async () => {
  const server = await scriptedServer((ws) => ws.close(4403, 'access revoked'))
  const client = startClient(server.url)
  const close = await client.waitFor((e) => e.event === 'close')
  assert.deepEqual([close.code, close.reason, close.willReconnect], [4403, 'access revoked', false])
  await new Promise((resolve) => setTimeout(resolve, 700))
  assert.equal(server.connections(), 1)
  client.send({ cmd: 'exit' })
  await client.exited
  server.wss.close()
})

test('other closes reconnect, unless --no-reconnect', async () => {
  const server = await scriptedServer((ws, _req, index) => {
    if (index === 0) ws.close(1011, 'boom')
    else answerSync(ws)
  })
  const client = startClient(server.url)
  const close = await client.waitFor((e) => e.event === 'close')
  assert.deepEqual([close.code, close.willReconnect], [1011, true])
  await client.waitFor((e) => e.event === 'synced')
  client.send({ cmd: 'exit' })
  await client.exited
  server.wss.close()

  const server2 = await scriptedServer((ws) => ws.close(1011, 'boom'))
  const client2 = startClient(server2.url, ['--no-reconnect'])
  const close2 = await client2.waitFor((e) => e.event === 'close')
  assert.deepEqual([close2.code, close2.willReconnect], [1011, false])
  await new Promise((resolve) => setTimeout(resolve, 700))
  assert.equal(server2.connections(), 1)
  client2.send({ cmd: 'exit' })
  await client2.exited
  server2.wss.close()
})

test('stdin closing ends the client', async () => {
  const server = await scriptedServer((ws) => answerSync(ws))
  const client = startClient(server.url)
  await client.waitFor((e) => e.event === 'synced')
  client.child.stdin.end()
  assert.equal(await client.exited, 0)
  server.wss.close()
})
