#!/usr/bin/env node
// Load generator: C stock y-websocket clients over D rooms, R small edits per second in
// total for T seconds. Reports sync, delivery, fan-out latency, convergence (every client
// of a room, and a fresh client's view of the server) and its own CPU. See README.md.
import { parseArgs } from 'node:util'
import fs from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import * as Y from 'yjs'
import {
  loadRooms, makeClient, waitSynced, contentOf, stateVectorKey, percentile, round,
  cpuSeconds, histogram, now, sleep
} from './lib.mjs'

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' },
    clients: { type: 'string', default: '20' },
    rooms: { type: 'string', default: '5' },
    'rooms-json': { type: 'string' },
    'room-prefix': { type: 'string', default: `bench-${process.pid}-${Date.now().toString(36)}` },
    token: { type: 'string' },
    rate: { type: 'string', default: '50' },
    duration: { type: 'string', default: '15' },
    kind: { type: 'string', default: 'text' },
    deflate: { type: 'string', default: 'on' },
    'sync-timeout': { type: 'string', default: '30' },
    quiesce: { type: 'string', default: '5' },
    'fresh-timeout': { type: 'string', default: '10' },
    label: { type: 'string', default: '' },
    'json-out': { type: 'string' },
    help: { type: 'boolean', default: false }
  }
})

if (opt.help || !opt.url) {
  process.stdout.write(`usage: node bench/loadgen.mjs --url ws://127.0.0.1:PORT[/collab]
  --clients C --rooms D --rate R --duration T      (defaults 20, 5, 50 edits/s, 15 s)
  [--rooms-json FILE]   [{"room": "<section id>", "token": "<token>"}, ...] instead of D generated rooms
  [--token T]           token for every room (query parameter ?token=)
  [--kind text|items]   edit a Y.XmlText under Y.XmlFragment "body" (default), or push to Y.Array "items"
  [--deflate on|off]    let the clients offer permessage-deflate (on: stock behaviour)
  [--sync-timeout 30] [--quiesce 5] [--fresh-timeout 10]   seconds
  [--label TEXT] [--json-out FILE]
`)
  process.exit(opt.help ? 0 : 2)
}

const C = parseInt(opt.clients)
const R = parseFloat(opt.rate)
const T = parseFloat(opt.duration)
const kind = opt.kind
if (!['text', 'items'].includes(kind)) throw new Error('--kind is text or items')
const rooms = loadRooms({ roomsJson: opt['rooms-json'], count: parseInt(opt.rooms), prefix: opt['room-prefix'], token: opt.token })
const D = rooms.length
const deflate = opt.deflate !== 'off'
const log = (line) => process.stderr.write(`[loadgen] ${line}\n`)

// y-websocket adds a process 'exit' listener per provider
process.setMaxListeners(0)
const cpu0 = process.cpuUsage()
// The histogram records whole timer intervals: subtract the resolution to get the delay.
const LOOP_RESOLUTION_MS = 5
const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS })
const loopDelayMs = (ns) => round(Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS))

// ---------------------------------------------------------------- clients
/** edit id -> { t0, room, expected, receivers:Set, doneMs } */
const edits = new Map()
let delivered = 0
let unknownMarkers = 0
const MARKER = /\[e(\d+)@\d+\]/g

const onReceived = (clientIndex, str) => {
  for (const m of str.matchAll(MARKER)) {
    const edit = edits.get(Number(m[1]))
    if (!edit) { unknownMarkers++; continue }
    if (edit.receivers.has(clientIndex)) continue
    edit.receivers.add(clientIndex)
    delivered++
    if (edit.receivers.size === edit.expected) edit.doneMs = now() - edit.t0
  }
}

const scanInserted = (clientIndex, insert) => {
  if (typeof insert === 'string') return onReceived(clientIndex, insert)
  if (Array.isArray(insert)) {
    for (const x of insert) {
      if (x instanceof Y.Map) onReceived(clientIndex, String(x.get('id') ?? ''))
      else if (x instanceof Y.AbstractType) onReceived(clientIndex, x.toString())
      else if (typeof x === 'string') onReceived(clientIndex, x)
    }
  }
}

const closeCodes = []
const clients = []
const roomClients = rooms.map(() => [])
const tConnect = now()
for (let i = 0; i < C; i++) {
  const r = i % D
  const client = makeClient({ url: opt.url, room: rooms[r].room, token: rooms[r].token, deflate, onClose: (code) => closeCodes.push(code) })
  client.index = i
  client.roomIndex = r
  client.provider.awareness.setLocalState({ user: { name: `bench-${i}` } })
  client.provider.on('sync', (synced) => { if (synced && client.syncedAt === null) client.syncedAt = now() - tConnect })
  const root = kind === 'items' ? client.doc.getArray('items') : client.doc.getXmlFragment('body')
  root.observeDeep((events, txn) => {
    if (txn.local) return
    for (const event of events) {
      for (const op of event.delta) if (op.insert !== undefined) scanInserted(i, op.insert)
    }
  })
  clients.push(client)
  roomClients[r].push(client)
}
log(`${C} clients opened over ${D} rooms at once against ${opt.url}`)

// ---------------------------------------------------------------- initial sync
const syncTimeoutMs = parseFloat(opt['sync-timeout']) * 1000
await Promise.all(clients.map((c) => waitSynced(c.provider, Math.max(0, syncTimeoutMs - (now() - tConnect)))))
const syncTimes = clients.filter((c) => c.syncedAt !== null).map((c) => c.syncedAt).sort((a, b) => a - b)
const syncedCount = syncTimes.length
const syncAllMs = syncedCount === C ? syncTimes[C - 1] : null
log(`synced ${syncedCount}/${C}` + (syncAllMs !== null ? ` in ${round(syncAllMs, 1)} ms` : ` (timeout ${opt['sync-timeout']} s)`))

const summary = {
  label: opt.label,
  url: opt.url,
  clients: C,
  rooms: D,
  rate: R,
  duration_s: T,
  kind,
  deflate,
  synced: syncedCount,
  sync_all_ms: round(syncAllMs, 1),
  sync_p50_ms: round(percentile(syncTimes, 50), 1),
  sync_max_ms: round(syncTimes.length ? syncTimes[syncTimes.length - 1] : null, 1)
}

const finish = async (code) => {
  summary.synced_at_end = clients.filter((c) => c.provider.synced).length
  // before destroy(): these are y-websocket's own reconnects after 30 s without a message
  summary.watchdog_closes = clients.reduce((n, c) => n + c.localCloses, 0)
  for (const c of clients) c.provider.destroy()
  const cpu = process.cpuUsage(cpu0)
  summary.close_codes = histogram(closeCodes)
  summary.permission_denied = clients.reduce((n, c) => n + c.permissionDenied, 0)
  summary.loadgen_cpu_s = round(cpuSeconds(cpu), 3)
  summary.loadgen_rss_mib = round(process.memoryUsage().rss / 2 ** 20, 1)
  printHuman(summary)
  const line = JSON.stringify(summary)
  process.stdout.write(line + '\n')
  if (opt['json-out']) fs.writeFileSync(opt['json-out'], line + '\n')
  await sleep(200)
  process.exit(code)
}

if (syncedCount === 0) {
  summary.error = `no client synced within ${opt['sync-timeout']} s (close codes: ${JSON.stringify(histogram(closeCodes))})`
  log(summary.error)
  await finish(2)
}

// ---------------------------------------------------------------- edit phase
const insertText = (client, marker) => {
  const { doc } = client
  doc.transact(() => {
    if (kind === 'items') {
      const item = new Y.Map()
      item.set('id', marker)
      item.set('title', new Y.Text(marker))
      doc.getArray('items').push([item])
      return
    }
    // ProseMirror shape: body > paragraph > text. Insert at either end of the text so that
    // a marker is never split by a later insert (they stay greppable on every client).
    const body = doc.getXmlFragment('body')
    let text = null
    for (const child of body.toArray()) {
      if (child instanceof Y.XmlElement) {
        const inner = child.toArray().find((x) => x instanceof Y.XmlText)
        if (inner) { text = inner; break }
      }
    }
    if (text === null) {
      const paragraph = new Y.XmlElement('paragraph')
      text = new Y.XmlText()
      paragraph.insert(0, [text])
      body.insert(body.length, [paragraph])
    }
    text.insert(Math.random() < 0.5 ? 0 : text.length, marker)
  })
}

let nextEditId = 0
let expectedTotal = 0
const doEdit = () => {
  const r = Math.floor(Math.random() * D)
  const members = roomClients[r]
  if (members.length === 0) return
  const editor = members[Math.floor(Math.random() * members.length)]
  const id = nextEditId++
  const edit = { t0: now(), room: r, expected: members.length - 1, receivers: new Set(), doneMs: null }
  if (edit.expected === 0) edit.doneMs = 0
  expectedTotal += edit.expected
  edits.set(id, edit)
  insertText(editor, `[e${id}@${Date.now()}] `)
}

const totalEdits = Math.round(R * T)
log(`editing: ${totalEdits} edits at ${R}/s for ${T} s`)
loop.enable()
const cpuEdit0 = process.cpuUsage()
const tEdit = now()
await new Promise((resolve) => {
  if (totalEdits === 0) return resolve()
  const timer = setInterval(() => {
    const due = Math.min(totalEdits, Math.floor(((now() - tEdit) / 1000) * R))
    while (nextEditId < due) doEdit()
    if (nextEditId >= totalEdits) { clearInterval(timer); resolve() }
  }, 5)
})
const editPhaseS = (now() - tEdit) / 1000
const cpuEdit = process.cpuUsage(cpuEdit0)
loop.disable()

// ---------------------------------------------------------------- quiescence
const quiesceMs = parseFloat(opt.quiesce) * 1000
const tQuiet = now()
const allDone = () => { for (const e of edits.values()) if (e.doneMs === null) return false; return true }
while (!allDone() && now() - tQuiet < quiesceMs) await sleep(50)
const quiesceWaitMs = now() - tQuiet

const latencies = [...edits.values()].filter((e) => e.doneMs !== null && e.expected > 0).map((e) => e.doneMs).sort((a, b) => a - b)
const incomplete = [...edits.values()].filter((e) => e.doneMs === null).length
Object.assign(summary, {
  edits: edits.size,
  edit_phase_s: round(editPhaseS, 2),
  delivered,
  expected: expectedTotal,
  incomplete_edits: incomplete,
  unknown_markers: unknownMarkers,
  quiesce_wait_ms: round(quiesceWaitMs, 0),
  p50_ms: round(percentile(latencies, 50)),
  p99_ms: round(percentile(latencies, 99)),
  max_ms: round(latencies.length ? latencies[latencies.length - 1] : null),
  loadgen_edit_phase_cpu_s: round(cpuSeconds(cpuEdit), 3),
  loadgen_edit_phase_cpu_pct: round(100 * cpuSeconds(cpuEdit) / editPhaseS, 1),
  loadgen_loop_delay_p99_ms: loopDelayMs(loop.percentile(99)),
  loadgen_loop_delay_max_ms: loopDelayMs(loop.max)
})

// ---------------------------------------------------------------- convergence
let roomsConverged = 0
let freshMatched = 0
const divergent = []
const freshTimeoutMs = parseFloat(opt['fresh-timeout']) * 1000
await Promise.all(rooms.map(async (room, r) => {
  const members = roomClients[r]
  if (members.length === 0) return
  const reference = { content: contentOf(members[0].doc, kind), sv: stateVectorKey(members[0].doc) }
  const same = members.every((c) => contentOf(c.doc, kind) === reference.content && stateVectorKey(c.doc) === reference.sv)
  if (same) roomsConverged++
  // The server's view: a client that was not there during the run.
  const fresh = makeClient({ url: opt.url, room: room.room, token: room.token, deflate })
  const ok = await waitSynced(fresh.provider, freshTimeoutMs)
  const freshSame = ok && contentOf(fresh.doc, kind) === reference.content && stateVectorKey(fresh.doc) === reference.sv
  if (freshSame) freshMatched++
  if (!same || !freshSame) {
    divergent.push({ room: room.room, clients_agree: same, fresh_synced: ok, fresh_matches: freshSame })
  }
  fresh.provider.destroy()
}))
Object.assign(summary, {
  rooms_converged: roomsConverged,
  fresh_matched: freshMatched,
  converged: roomsConverged === D && freshMatched === D,
  divergent_rooms: divergent.slice(0, 10)
})
await finish(0)

// ---------------------------------------------------------------- output
function printHuman (s) {
  const rows = [
    ['target', `${s.label || ''} ${s.url}`.trim()],
    ['load', `${s.clients} clients / ${s.rooms} rooms / ${s.rate} edits/s / ${s.duration_s} s (${s.kind}, deflate ${s.deflate ? 'on' : 'off'})`],
    ['initial sync', `${s.synced}/${s.clients} synced` + (s.sync_all_ms != null ? `, all in ${s.sync_all_ms} ms (p50 ${s.sync_p50_ms} ms)` : ', NOT ALL within the timeout')]
  ]
  if (s.error) rows.push(['error', s.error])
  if (s.edits !== undefined) {
    rows.push(['delivered/expected', `${s.delivered}/${s.expected}` + (s.incomplete_edits ? ` (${s.incomplete_edits} edits not everywhere)` : '')])
    rows.push(['fan-out latency', `p50 ${s.p50_ms} ms, p99 ${s.p99_ms} ms, max ${s.max_ms} ms`])
    rows.push(['converged', `${s.converged ? 'yes' : 'NO'} (clients agree in ${s.rooms_converged}/${s.rooms} rooms, fresh client matches in ${s.fresh_matched}/${s.rooms})`])
    rows.push(['loadgen edit phase', `${s.loadgen_edit_phase_cpu_s} CPU s over ${s.edit_phase_s} s (${s.loadgen_edit_phase_cpu_pct} % of a core), event-loop delay p99 ${s.loadgen_loop_delay_p99_ms} ms, max ${s.loadgen_loop_delay_max_ms} ms`])
  }
  if (s.synced_at_end !== s.clients) rows.push(['synced at the end', `${s.synced_at_end}/${s.clients}`])
  if (s.close_codes && Object.keys(s.close_codes).length) rows.push(['close codes (server)', JSON.stringify(s.close_codes)])
  if (s.watchdog_closes) rows.push(['watchdog closes', `${s.watchdog_closes} (y-websocket gave up on a silent socket after 30 s and reconnected)`])
  if (s.permission_denied) rows.push(['permission denied', String(s.permission_denied)])
  rows.push(['loadgen total', `${s.loadgen_cpu_s} CPU s, RSS ${s.loadgen_rss_mib} MiB`])
  const w = Math.max(...rows.map((r) => r[0].length))
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(w)}  ${v}\n`)
}
