// Shared helpers for the bench tools: stock y-websocket clients, content, statistics.
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'
import fs from 'node:fs'

/** ws without permessage-deflate, for measuring the server with and without it. */
class WebSocketNoDeflate extends WebSocket {
  constructor (address, protocols, options = {}) {
    super(address, protocols, { ...options, perMessageDeflate: false })
  }
}

export const now = () => performance.now()
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Rooms to use: `--rooms-json FILE` ([{room, token?}], for JointPlan's sections) or
 * `count` generated names (for the reference servers, which accept any room).
 */
export const loadRooms = ({ roomsJson, count, prefix, token }) => {
  if (roomsJson) {
    const rooms = JSON.parse(fs.readFileSync(roomsJson, 'utf8'))
    return rooms.map((r) => (typeof r === 'string' ? { room: r, token } : { room: r.room, token: r.token ?? token }))
  }
  return Array.from({ length: count }, (_, i) => ({ room: `${prefix}-${i}`, token }))
}

/**
 * A stock WebsocketProvider, as a browser tab would create it (plus the ws polyfill and
 * disableBc, without which Node 20 clients in one process sync over BroadcastChannel).
 */
export const makeClient = ({ url, room, token, deflate = true, connect = true, onClose }) => {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(url, room, doc, {
    connect,
    params: token ? { token } : {},
    WebSocketPolyfill: deflate ? WebSocket : WebSocketNoDeflate,
    disableBc: true
  })
  // y-websocket only console.warn()s this; count it instead.
  provider.messageHandlers[2] = () => { client.permissionDenied++ }
  const client = { doc, provider, room, permissionDenied: 0, closes: [], localCloses: 0, syncedAt: null }
  provider.on('connection-close', (event) => {
    // null: closed by the client itself (destroy, or y-websocket's 30 s silence watchdog)
    if (event == null) client.localCloses++
    if (event) {
      client.closes.push(event.code)
      if (onClose) onClose(event.code, event.reason)
    }
  })
  return client
}

/** Resolves true when the provider is synced, false after `ms`. */
export const waitSynced = (provider, ms) => new Promise((resolve) => {
  if (provider.synced) return resolve(true)
  const timer = setTimeout(() => { provider.off('sync', handler); resolve(false) }, ms)
  const handler = (synced) => {
    if (synced) { clearTimeout(timer); provider.off('sync', handler); resolve(true) }
  }
  provider.on('sync', handler)
})

/** Content roots per kind, per JointPlan's schema. */
export const contentOf = (doc, kind) => kind === 'items'
  ? JSON.stringify(doc.getArray('items').toJSON())
  : doc.getXmlFragment('body').toString()

export const stateVectorKey = (doc) => {
  const sv = Y.decodeStateVector(Y.encodeStateVector(doc))
  return JSON.stringify([...sv.entries()].sort((a, b) => a[0] - b[0]))
}

export const percentile = (sorted, p) => {
  if (sorted.length === 0) return null
  const rank = Math.ceil((p / 100) * sorted.length) - 1
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]
}

export const round = (x, digits = 2) => (x == null ? null : Math.round(x * 10 ** digits) / 10 ** digits)

export const cpuSeconds = (usage) => (usage.user + usage.system) / 1e6

export const histogram = (values) => {
  const h = {}
  for (const v of values) h[v] = (h[v] || 0) + 1
  return h
}
