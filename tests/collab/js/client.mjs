#!/usr/bin/env node
// A stock y-websocket client driven over stdin/stdout in JSON lines, so that the
// Python tests can prove that an unmodified `y-websocket` WebsocketProvider works
// against the server. See README.md in this folder for the protocol.
import { parseArgs } from 'node:util'
import readline from 'node:readline'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'
import * as decoding from 'lib0/decoding'
import * as authProtocol from 'y-protocols/auth'

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    room: { type: 'string' },
    token: { type: 'string' },
    name: { type: 'string' },
    kind: { type: 'string', default: 'items' },
    'no-reconnect': { type: 'boolean', default: false }
  }
})

// Pipes are written synchronously by Node on Linux, so every line is flushed at once.
const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')

if (!args.url || !args.room || !['items', 'text'].includes(args.kind)) {
  emit({ event: 'error', message: 'usage: client.mjs --url WS_URL --room ROOM [--token T] [--name NAME] [--kind items|text] [--no-reconnect]' })
  process.exit(2)
}

process.on('uncaughtException', (err) => {
  emit({ event: 'error', message: String(err && err.stack ? err.stack : err) })
})

const doc = new Y.Doc()
const items = doc.getArray('items')
const body = doc.getXmlFragment('body')
const noReconnect = args['no-reconnect']

const params = {}
if (args.token !== undefined) params.token = args.token

const provider = new WebsocketProvider(args.url, args.room, doc, {
  connect: false,
  params,
  WebSocketPolyfill: WebSocket,
  // Node 20 has a global BroadcastChannel: without this, clients in one process
  // would sync with each other and bypass the server.
  disableBc: true,
  // y-websocket 3.x stops reconnecting by itself on 4400-4499; --no-reconnect stops on any close.
  shouldReconnect: (event) => !noReconnect && !(event.code >= 4400 && event.code < 4500)
})

// y-websocket only console.warn()s a permission-denied auth message; surface it as an event.
provider.messageHandlers[2] = (_encoder, decoder, _provider, _emitSynced, _messageType) => {
  authProtocol.readAuthMessage(decoder, doc, (_ydoc, reason) => {
    emit({ event: 'permission-denied', reason })
  })
}

provider.on('status', ({ status }) => emit({ event: 'status', status }))
provider.on('sync', (synced) => { if (synced) emit({ event: 'synced' }) })
provider.on('connection-error', (event) => {
  emit({ event: 'connection-error', message: String(event && (event.message || event.type)) })
})
provider.on('connection-close', (event) => {
  if (event == null) {
    // closed by us: the `disconnect` command, or y-websocket's 30 s silence watchdog
    emit({ event: 'close', code: null, reason: 'local', local: true, willReconnect: provider.shouldConnect && !noReconnect })
    if (noReconnect) provider.shouldConnect = false
    return
  }
  const willReconnect = provider.shouldReconnect(event, provider)
  emit({ event: 'close', code: event.code, reason: event.reason || '', local: false, willReconnect })
})

const awarenessStates = () => {
  const states = {}
  for (const [clientId, state] of provider.awareness.getStates()) states[clientId] = state
  return states
}
// 'change' fires only when a state really changed (not on the 15 s renewals).
provider.awareness.on('change', () => {
  emit({ event: 'awareness', states: awarenessStates(), self: doc.clientID })
})

doc.on('update', (_update, origin) => {
  if (origin === provider) emit({ event: 'update', remote: true })
})

const content = () => args.kind === 'items' ? items.toJSON() : body.toString()

const firstXmlText = () => {
  // ProseMirror shape: body > paragraph (Y.XmlElement) > Y.XmlText
  for (const child of body.toArray()) {
    if (child instanceof Y.XmlText) return child
    if (child instanceof Y.XmlElement) {
      for (const inner of child.toArray()) if (inner instanceof Y.XmlText) return inner
    }
  }
  const paragraph = new Y.XmlElement('paragraph')
  const text = new Y.XmlText()
  paragraph.insert(0, [text])
  body.insert(body.length, [paragraph])
  return text
}

let counter = 0
const newId = () => `${args.name || doc.clientID}-${Date.now().toString(36)}-${counter++}`

const commands = {
  push (cmd) {
    const item = new Y.Map()
    const id = cmd.id ? String(cmd.id) : newId()
    item.set('id', id)
    item.set('title', new Y.Text(String(cmd.text ?? '')))
    items.push([item])
    return { itemId: id }
  },
  'insert-text' (cmd) {
    const index = Number(cmd.index ?? 0)
    const text = String(cmd.text ?? '')
    if (args.kind === 'items') {
      if (items.length === 0) throw new Error('no item to insert into: push one first')
      const title = items.get(0).get('title')
      if (!(title instanceof Y.Text)) throw new Error('first item has no Y.Text title')
      title.insert(Math.min(index, title.length), text)
    } else {
      doc.transact(() => {
        const xmlText = firstXmlText()
        xmlText.insert(Math.min(index, xmlText.length), text)
      })
    }
    return {}
  },
  state () {
    return {
      json: content(),
      stateVector: Buffer.from(Y.encodeStateVector(doc)).toString('base64'),
      synced: provider.synced,
      connected: provider.wsconnected
    }
  },
  awareness (cmd) {
    provider.awareness.setLocalState(cmd.state === undefined ? null : cmd.state)
    return {}
  },
  disconnect () { provider.disconnect(); return {} },
  connect () { provider.connect(); return {} },
  exit () { shutdown(0) }
}

let exiting = false
function shutdown (code) {
  if (exiting) return
  exiting = true
  try { provider.destroy() } catch {}
  emit({ event: 'exit' })
  // give the close frame a moment to leave
  setTimeout(() => process.exit(code), 50)
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
rl.on('line', (line) => {
  if (!line.trim()) return
  let cmd
  try {
    cmd = JSON.parse(line)
  } catch (err) {
    emit({ event: 'error', message: `bad JSON on stdin: ${err.message}` })
    return
  }
  const handler = commands[cmd.cmd]
  if (!handler) {
    emit({ event: 'error', message: `unknown command: ${cmd.cmd}`, cmd: cmd.cmd })
    return
  }
  try {
    const result = handler(cmd)
    if (cmd.cmd === 'state') emit({ event: 'state', ...result, ...(cmd.ref !== undefined ? { ref: cmd.ref } : {}) })
    else if (cmd.cmd !== 'exit') emit({ event: 'done', cmd: cmd.cmd, ...result, ...(cmd.ref !== undefined ? { ref: cmd.ref } : {}) })
  } catch (err) {
    emit({ event: 'error', message: err.message, cmd: cmd.cmd })
  }
})
// The test that spawned us went away: leave, never linger as an orphan.
rl.on('close', () => shutdown(0))
process.on('SIGTERM', () => shutdown(0))

emit({ event: 'ready', clientId: doc.clientID })
provider.connect()
