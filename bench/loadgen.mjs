#!/usr/bin/env node
// Load generator: C stock y-websocket clients over D rooms, R small edits per second in
// total for T seconds. Reports sync, delivery, fan-out latency, convergence (every client
// of a room, and a fresh client's view of the server) and its own CPU. See README.md.
//
// With --procs N the rooms are split over N worker processes (forks of this script) that
// connect, edit and check in lockstep; the parent merges their figures. One process is
// the default; see README.md for when a second one tightens the latency tail.
import { parseArgs } from 'node:util'
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
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
    procs: { type: 'string', default: '1' },
    'sync-timeout': { type: 'string', default: '30' },
    quiesce: { type: 'string', default: '5' },
    'fresh-timeout': { type: 'string', default: '10' },
    label: { type: 'string', default: '' },
    'json-out': { type: 'string' },
    worker: { type: 'string' }, // internal: "k/N"
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
  [--procs 1]           split the rooms over so many load processes
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
const allRooms = loadRooms({ roomsJson: opt['rooms-json'], count: parseInt(opt.rooms), prefix: opt['room-prefix'], token: opt.token })
const D = allRooms.length
const deflate = opt.deflate !== 'off'
const procs = Math.max(1, Math.min(parseInt(opt.procs), D))
const syncTimeoutMs = parseFloat(opt['sync-timeout']) * 1000
// y-websocket adds a process 'exit' listener per provider
process.setMaxListeners(0)

if (opt.worker) {
  const [k, n] = opt.worker.split('/').map(Number)
  await runWorker(k, n, {
    gate: (phase) => new Promise((resolve) => {
      const handler = (msg) => {
        if (msg.go === phase || msg.go === 'stop') { process.off('message', handler); resolve(msg) }
      }
      process.on('message', handler)
    }),
    report: (phase, data) => new Promise((resolve) => process.send({ phase, data }, resolve)),
    log: (line) => process.stderr.write(`[loadgen ${k}] ${line}\n`)
  })
  process.disconnect()
  process.exit(0)
} else if (procs === 1) {
  const parts = {}
  const log = (line) => process.stderr.write(`[loadgen] ${line}\n`)
  await runWorker(0, 1, {
    gate: async () => ({ t: Date.now() }),
    report: (phase, data) => { parts[phase] = [data] },
    log
  })
  await finish(merge(parts), log)
} else {
  await runParent()
}

// ------------------------------------------------------------------------ parent (--procs)

async function runParent () {
  const log = (line) => process.stderr.write(`[loadgen] ${line}\n`)
  const self = fileURLToPath(import.meta.url)
  const args = process.argv.slice(2).filter((a, i, all) => a !== '--json-out' && all[i - 1] !== '--json-out')
  // the workers must agree on the generated room names
  args.push('--room-prefix', opt['room-prefix'])
  const workers = Array.from({ length: procs }, (_, k) => fork(self, [...args, '--worker', `${k}/${procs}`], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }))
  const parts = {}
  let wake = () => {}
  for (const w of workers) {
    w.on('message', (msg) => { (parts[msg.phase] ||= []).push(msg.data); wake() })
    w.on('exit', () => wake())
  }
  const waitAll = async (phase, timeoutMs) => {
    const deadline = now() + timeoutMs
    while ((parts[phase] || []).length < procs) {
      if (now() > deadline) throw new Error(`not every worker reported '${phase}' within ${timeoutMs / 1000} s`)
      await new Promise((resolve) => { wake = resolve; setTimeout(resolve, 100) })
    }
  }
  const send = (go) => { for (const w of workers) w.send({ go }) }
  try {
    await waitAll('loaded', 30000)
    send('connect')
    await waitAll('synced', syncTimeoutMs + 30000)
    const stopEarly = parts.synced.reduce((n, p) => n + p.syncTimes.length, 0) === 0
    send(stopEarly ? 'stop' : 'edit')
    if (!stopEarly) await waitAll('edited', (T + parseFloat(opt.quiesce) + 60) * 1000)
    await waitAll('done', (parseFloat(opt['fresh-timeout']) + 60) * 1000)
  } catch (err) {
    log(String(err))
    for (const w of workers) w.kill()
    parts.error = String(err)
  }
  await finish(merge(parts), log)
}

// ------------------------------------------------------------------------ a load process

async function runWorker (k, n, { gate, report, log }) {
  const cpu0 = process.cpuUsage()
  // The histogram records whole timer intervals: subtract the resolution to get the delay.
  const LOOP_RESOLUTION_MS = 5
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS })
  const loopDelayMs = (ns) => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS)

  // Client i is in room i % D; worker k takes the rooms r with r % n === k.
  const myRooms = allRooms.map((room, r) => ({ ...room, r })).filter(({ r }) => r % n === k)
  const roomClients = new Map(myRooms.map(({ r }) => [r, []]))

  /** edit id -> { t0, expected, receivers:Set, doneMs } */
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
  // Read the markers out of each applied remote update itself: observers' `delta` walks the
  // whole Y.Text from its start on every event, O(document) per update, which made this
  // process the bottleneck at 200 clients. The doc's 'update' event carries exactly what was
  // integrated (never duplicates, never structs still waiting for missing dependencies).
  const scanUpdate = (clientIndex, update) => {
    for (const struct of Y.decodeUpdate(update).structs) {
      const content = struct.content
      if (!content) continue // GC, Skip
      if (typeof content.str === 'string') onReceived(clientIndex, content.str) // ContentString
      else if (Array.isArray(content.arr)) { // ContentAny: map values such as an item's id
        for (const x of content.arr) if (typeof x === 'string') onReceived(clientIndex, x)
      }
    }
  }

  report('loaded', {})
  await gate('connect')

  // ---------------------------------------------------------------- connect all at once
  const closeCodes = []
  const clients = []
  const tConnect = now()
  for (let i = 0; i < C; i++) {
    const r = i % D
    if (!roomClients.has(r)) continue
    const room = allRooms[r]
    const client = makeClient({ url: opt.url, room: room.room, token: room.token, deflate, onClose: (code) => closeCodes.push(code) })
    client.provider.awareness.setLocalState({ user: { name: `bench-${i}` } })
    client.provider.on('sync', (synced) => { if (synced && client.syncedAt === null) client.syncedAt = now() - tConnect })
    client.doc.on('update', (update, origin) => {
      if (origin === client.provider) scanUpdate(i, update)
    })
    clients.push(client)
    roomClients.get(r).push(client)
  }
  log(`${clients.length} clients opened over ${myRooms.length} rooms at once against ${opt.url}`)
  await Promise.all(clients.map((c) => waitSynced(c.provider, Math.max(0, syncTimeoutMs - (now() - tConnect)))))
  const syncTimes = clients.filter((c) => c.syncedAt !== null).map((c) => c.syncedAt)
  log(`synced ${syncTimes.length}/${clients.length}`)
  report('synced', { syncTimes, clients: clients.length })

  const wrapUp = async (editPart) => {
    const done = {
      ...editPart,
      closeCodes,
      permissionDenied: clients.reduce((x, c) => x + c.permissionDenied, 0),
      syncedAtEnd: clients.filter((c) => c.provider.synced).length,
      // y-websocket's own closes after 30 s without a message (before destroy() adds more)
      watchdogCloses: clients.reduce((x, c) => x + c.localCloses, 0)
    }
    for (const c of clients) c.provider.destroy()
    done.cpuS = cpuSeconds(process.cpuUsage(cpu0))
    done.rssMib = process.memoryUsage().rss / 2 ** 20
    await report('done', done)
  }

  const go = await gate('edit')
  if (go.go === 'stop' || (n === 1 && syncTimes.length === 0)) return wrapUp({})

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

  const roomList = [...roomClients.values()]
  const myRate = R * myRooms.length / D
  const myEdits = Math.round(myRate * T)
  let count = 0
  let expectedTotal = 0
  const doEdit = () => {
    const members = roomList[Math.floor(Math.random() * roomList.length)]
    const editor = members[Math.floor(Math.random() * members.length)]
    const id = count++ * n + k // unique over the workers
    const edit = { t0: now(), expected: members.length - 1, receivers: new Set(), doneMs: null }
    if (edit.expected === 0) edit.doneMs = 0
    expectedTotal += edit.expected
    edits.set(id, edit)
    insertText(editor, `[e${id}@${Date.now()}] `)
  }
  log(`editing: ${myEdits} edits at ${round(myRate)}/s for ${T} s`)
  loop.enable()
  const cpuEdit0 = process.cpuUsage()
  const tEdit = now()
  await new Promise((resolve) => {
    if (myEdits === 0 || roomList.every((m) => m.length === 0)) return resolve()
    const timer = setInterval(() => {
      const due = Math.min(myEdits, Math.floor(((now() - tEdit) / 1000) * myRate))
      while (count < due) doEdit()
      if (count >= myEdits) { clearInterval(timer); resolve() }
    }, 5)
  })
  const editPhaseS = (now() - tEdit) / 1000
  const cpuEdit = cpuSeconds(process.cpuUsage(cpuEdit0))
  loop.disable()

  // ---------------------------------------------------------------- quiescence
  const quiesceMs = parseFloat(opt.quiesce) * 1000
  const tQuiet = now()
  const allDone = () => { for (const e of edits.values()) if (e.doneMs === null) return false; return true }
  while (!allDone() && now() - tQuiet < quiesceMs) await sleep(50)
  const quiesceWaitMs = now() - tQuiet
  const measured = [...edits.values()].filter((e) => e.doneMs !== null && e.expected > 0)
  const latencies = measured.map((e) => e.doneMs)
  // [second of the edit phase the edit was made in, its latency]: shows whether the tail is
  // spread out or one burst (a renewal wave of awareness, a pause on either side)
  const timeline = measured.map((e) => [Math.floor((e.t0 - tEdit) / 1000), e.doneMs])
  const incomplete = [...edits.values()].filter((e) => e.doneMs === null).length
  report('edited', {})

  // ---------------------------------------------------------------- convergence
  let roomsConverged = 0
  let freshMatched = 0
  const divergent = []
  const freshTimeoutMs = parseFloat(opt['fresh-timeout']) * 1000
  await Promise.all(myRooms.map(async (room) => {
    const members = roomClients.get(room.r)
    if (members.length === 0) return
    const reference = { content: contentOf(members[0].doc, kind), sv: stateVectorKey(members[0].doc) }
    const same = members.every((c) => contentOf(c.doc, kind) === reference.content && stateVectorKey(c.doc) === reference.sv)
    if (same) roomsConverged++
    // The server's view: a client that was not there during the run.
    const fresh = makeClient({ url: opt.url, room: room.room, token: room.token, deflate })
    const ok = await waitSynced(fresh.provider, freshTimeoutMs)
    const freshSame = ok && contentOf(fresh.doc, kind) === reference.content && stateVectorKey(fresh.doc) === reference.sv
    if (freshSame) freshMatched++
    if (!same || !freshSame) divergent.push({ room: room.room, clients_agree: same, fresh_synced: ok, fresh_matches: freshSame })
    fresh.provider.destroy()
  }))

  await wrapUp({
    edits: edits.size,
    editPhaseS,
    delivered,
    expected: expectedTotal,
    incomplete,
    unknownMarkers,
    quiesceWaitMs,
    latencies,
    timeline,
    cpuEdit,
    loopP99: loopDelayMs(loop.percentile(99)),
    loopMax: loopDelayMs(loop.max),
    rooms: myRooms.length,
    roomsConverged,
    freshMatched,
    divergent
  })
}

// ------------------------------------------------------------------------ merge and print

function merge (parts) {
  const synced = parts.synced || []
  const done = parts.done || []
  const syncTimes = synced.flatMap((p) => p.syncTimes).sort((a, b) => a - b)
  const sum = (key) => done.reduce((x, p) => x + (p[key] || 0), 0)
  const s = {
    label: opt.label,
    url: opt.url,
    clients: C,
    rooms: D,
    rate: R,
    duration_s: T,
    kind,
    deflate,
    procs,
    synced: syncTimes.length,
    sync_all_ms: round(syncTimes.length === C ? syncTimes[C - 1] : null, 1),
    sync_p50_ms: round(percentile(syncTimes, 50), 1),
    sync_max_ms: round(syncTimes.length ? syncTimes[syncTimes.length - 1] : null, 1)
  }
  if (parts.error) s.error = parts.error
  else if (syncTimes.length === 0) s.error = `no client synced within ${opt['sync-timeout']} s (close codes: ${JSON.stringify(histogram(done.flatMap((p) => p.closeCodes || [])))})`
  const edited = done.filter((p) => p.edits !== undefined)
  if (edited.length && !s.error) {
    const latencies = edited.flatMap((p) => p.latencies).sort((a, b) => a - b)
    const editPhaseS = Math.max(...edited.map((p) => p.editPhaseS))
    Object.assign(s, {
      edits: sum('edits'),
      edit_phase_s: round(editPhaseS, 2),
      delivered: sum('delivered'),
      expected: sum('expected'),
      incomplete_edits: sum('incomplete'),
      unknown_markers: sum('unknownMarkers'),
      quiesce_wait_ms: round(Math.max(...edited.map((p) => p.quiesceWaitMs)), 0),
      p50_ms: round(percentile(latencies, 50)),
      p99_ms: round(percentile(latencies, 99)),
      max_ms: round(latencies.length ? latencies[latencies.length - 1] : null),
      by_second: bySecond(edited.flatMap((p) => p.timeline)),
      loadgen_edit_phase_cpu_s: round(sum('cpuEdit'), 3),
      loadgen_edit_phase_cpu_pct: round(100 * sum('cpuEdit') / editPhaseS, 1),
      loadgen_loop_delay_p99_ms: round(Math.max(...edited.map((p) => p.loopP99))),
      loadgen_loop_delay_max_ms: round(Math.max(...edited.map((p) => p.loopMax))),
      rooms_converged: sum('roomsConverged'),
      fresh_matched: sum('freshMatched')
    })
    s.converged = s.rooms_converged === D && s.fresh_matched === D
    s.divergent_rooms = edited.flatMap((p) => p.divergent).slice(0, 10)
  }
  s.synced_at_end = sum('syncedAtEnd')
  s.watchdog_closes = sum('watchdogCloses')
  s.close_codes = histogram(done.flatMap((p) => p.closeCodes || []))
  s.permission_denied = sum('permissionDenied')
  s.loadgen_cpu_s = round(sum('cpuS') + (procs > 1 ? cpuSeconds(process.cpuUsage()) : 0), 3)
  s.loadgen_rss_mib = round(sum('rssMib'), 1)
  return s
}

function bySecond (timeline) {
  const seconds = []
  for (const [second, ms] of timeline) (seconds[second] ||= []).push(ms)
  return seconds.map((values) => {
    values.sort((a, b) => a - b)
    return { p99_ms: round(percentile(values, 99)), max_ms: round(values[values.length - 1]) }
  })
}

async function finish (s, log) {
  printHuman(s)
  const line = JSON.stringify(s)
  process.stdout.write(line + '\n')
  if (opt['json-out']) fs.writeFileSync(opt['json-out'], line + '\n')
  if (s.error) log(s.error)
  await sleep(200)
  process.exit(s.error ? 2 : 0)
}

function printHuman (s) {
  const rows = [
    ['target', `${s.label || ''} ${s.url}`.trim()],
    ['load', `${s.clients} clients / ${s.rooms} rooms / ${s.rate} edits/s / ${s.duration_s} s (${s.kind}, deflate ${s.deflate ? 'on' : 'off'}, ${s.procs} load process${s.procs > 1 ? 'es' : ''})`],
    ['initial sync', `${s.synced}/${s.clients} synced` + (s.sync_all_ms != null ? `, all in ${s.sync_all_ms} ms (p50 ${s.sync_p50_ms} ms)` : ', NOT ALL within the timeout')]
  ]
  if (s.error) rows.push(['error', s.error])
  if (s.edits !== undefined) {
    rows.push(['delivered/expected', `${s.delivered}/${s.expected}` + (s.incomplete_edits ? ` (${s.incomplete_edits} edits not everywhere)` : '')])
    rows.push(['fan-out latency', `p50 ${s.p50_ms} ms, p99 ${s.p99_ms} ms, max ${s.max_ms} ms`])
    rows.push(['p99 by second', (s.by_second || []).map((x) => x ? x.p99_ms : '-').join(' ')])
    rows.push(['converged', `${s.converged ? 'yes' : 'NO'} (clients agree in ${s.rooms_converged}/${s.rooms} rooms, fresh client matches in ${s.fresh_matched}/${s.rooms})`])
    rows.push(['loadgen edit phase', `${s.loadgen_edit_phase_cpu_s} CPU s over ${s.edit_phase_s} s (${s.loadgen_edit_phase_cpu_pct} % of a core), event-loop delay p99 ${s.loadgen_loop_delay_p99_ms} ms, max ${s.loadgen_loop_delay_max_ms} ms`])
  }
  if (s.synced_at_end !== s.clients) rows.push(['synced at the end', `${s.synced_at_end}/${s.clients}`])
  if (s.close_codes && Object.keys(s.close_codes).length) rows.push(['close codes (server)', JSON.stringify(s.close_codes)])
  if (s.watchdog_closes) rows.push(['watchdog closes', `${s.watchdog_closes} (y-websocket gave up on a silent socket after 30 s and reconnected)`])
  if (s.permission_denied) rows.push(['permission denied', String(s.permission_denied)])
  rows.push(['loadgen total', `${s.loadgen_cpu_s} CPU s, RSS ${s.loadgen_rss_mib} MiB`])
  const w = Math.max(...rows.map((r) => r[0].length))
  for (const [key, value] of rows) process.stdout.write(`${key.padEnd(w)}  ${value}\n`)
}
