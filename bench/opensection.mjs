#!/usr/bin/env node
// "Opening a section whose log holds N small updates": one stock y-websocket client
// writes N small updates (one Yjs transaction = one update message each), the tool checks
// that the server has them all, then times fresh clients from connect to synced.
import { parseArgs } from 'node:util'
import fs from 'node:fs'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import { makeClient, waitSynced, contentOf, stateVectorKey, percentile, round, cpuSeconds, now, sleep } from './lib.mjs'

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' },
    room: { type: 'string', default: `open-${process.pid}-${Date.now().toString(36)}` },
    token: { type: 'string' },
    updates: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '500' },
    rate: { type: 'string', default: '0' },
    pattern: { type: 'string', default: 'append' },
    'per-paragraph': { type: 'string', default: '100' },
    kind: { type: 'string', default: 'text' },
    opens: { type: 'string', default: '5' },
    'keep-writer': { type: 'boolean', default: false },
    settle: { type: 'string', default: '0' },
    'settle-between': { type: 'string', default: '0' },
    timeout: { type: 'string', default: '300' },
    'open-timeout': { type: 'string', default: '30' },
    deflate: { type: 'string', default: 'on' },
    label: { type: 'string', default: '' },
    'json-out': { type: 'string' },
    help: { type: 'boolean', default: false }
  }
})
if (opt.help || !opt.url) {
  process.stdout.write(`usage: node bench/opensection.mjs --url ws://127.0.0.1:PORT[/collab] [--room ROOM] [--token T]
  [--updates 100000]      how many small updates the writer sends, one transaction each
  [--batch 500]           updates per burst; between bursts the writer waits for a sync round trip (step 1 → step 2)
  [--rate 0]              cap in updates/s (0: as fast as the server answers)
  [--pattern append|random]  append at the end (typing) or insert at random positions
  [--kind text|items]     Y.XmlText under "body" (default) or Y.Array "items" of Y.Map
  [--per-paragraph 100]   text: start a new paragraph every so many updates (in the same update)
  [--keep-writer]         keep the writer connected while timing opens (needed for in-memory servers that drop empty rooms)
  [--settle 0]            seconds to wait after the writer left, before the first open (room unload, compaction)
  [--opens 5] [--settle-between 0]   fresh clients timed one after another, and the pause between them
  [--timeout 300] [--open-timeout 30] [--deflate on|off] [--label TEXT] [--json-out FILE]
`)
  process.exit(opt.help ? 0 : 2)
}
process.setMaxListeners(0)
const N = parseInt(opt.updates)
const batch = Math.max(1, parseInt(opt.batch))
const rate = parseFloat(opt.rate)
const kind = opt.kind
const deflate = opt.deflate !== 'off'
const deadline = now() + parseFloat(opt.timeout) * 1000
const log = (line) => process.stderr.write(`[opensection] ${line}\n`)
const cpu0 = process.cpuUsage()
const summary = { label: opt.label, url: opt.url, room: opt.room, updates: N, pattern: opt.pattern, kind, keep_writer: opt['keep-writer'] }

const finish = async (code, error) => {
  if (error) { summary.error = error; log(error) }
  summary.tool_cpu_s = round(cpuSeconds(process.cpuUsage(cpu0)), 3)
  const rows = [
    ['target', `${opt.label} ${opt.url} room ${opt.room}`.trim()],
    ['written', `${summary.written ?? 0}/${N} updates in ${summary.write_s ?? '-'} s; server had them all after ${summary.confirm_s ?? '-'} s`]
  ]
  if (summary.opens_ms) {
    rows.push(['open (connect→synced)', `first ${summary.first_open_ms} ms, all: ${summary.opens_ms.join(', ')} ms (median ${summary.median_open_ms} ms)`])
    rows.push(['content matches', `${summary.opens_matching}/${summary.opens_ms.length}, document ${summary.doc_bytes} bytes as one update`])
  }
  if (summary.error) rows.push(['error', summary.error])
  const w = Math.max(...rows.map((r) => r[0].length))
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(w)}  ${v}\n`)
  const line = JSON.stringify(summary)
  process.stdout.write(line + '\n')
  if (opt['json-out']) fs.writeFileSync(opt['json-out'], line + '\n')
  await sleep(100)
  process.exit(code)
}

const closes = []
const writer = makeClient({ url: opt.url, room: opt.room, token: opt.token, deflate, onClose: (code, reason) => closes.push({ code, reason }) })
if (!await waitSynced(writer.provider, 30000)) {
  await finish(2, `the writer did not sync within 30 s (closes: ${JSON.stringify(closes)})`)
}

// ---------------------------------------------------------------- write
const doc = writer.doc
const body = doc.getXmlFragment('body')
const items = doc.getArray('items')
let text = null
const newParagraph = () => {
  const paragraph = new Y.XmlElement('paragraph')
  text = new Y.XmlText()
  paragraph.insert(0, [text])
  body.insert(body.length, [paragraph])
}
// A new paragraph every so many updates: one ever-growing Y.XmlText would make the
// *writer* slow (Yjs merges the appended runs into one string and re-slices it for every
// update, O(n) each), and a long document is made of paragraphs anyway.
const perParagraph = Math.max(1, parseInt(opt['per-paragraph']))
const writeOne = (i) => doc.transact(() => {
  const s = `u${i} `
  if (kind === 'items') {
    const item = new Y.Map()
    item.set('id', `u${i}`)
    item.set('title', new Y.Text(s))
    if (opt.pattern === 'random') items.insert(Math.floor(Math.random() * (items.length + 1)), [item])
    else items.push([item])
  } else {
    if (i % perParagraph === 0) newParagraph()
    text.insert(opt.pattern === 'random' ? Math.floor(Math.random() * (text.length + 1)) : text.length, s)
  }
})

// Flow control by round trip: after each burst, send sync step 1 and wait for the server's
// step 2. The server handles a connection's messages in order, so the reply means it has
// taken the whole burst; its queue stays bounded and a rate limit sees a steady writer.
let step2Waiter = null
const stockSyncHandler = writer.provider.messageHandlers[0]
writer.provider.messageHandlers[0] = (encoder, decoder, provider, emitSynced, messageType) => {
  const syncType = decoder.arr[decoder.pos] // peek: 0 step 1, 1 step 2, 2 update
  stockSyncHandler(encoder, decoder, provider, emitSynced, messageType)
  if (syncType === syncProtocol.messageYjsSyncStep2 && step2Waiter) { step2Waiter(); step2Waiter = null }
}
const roundTrip = (ms) => new Promise((resolve) => {
  const timer = setTimeout(() => { step2Waiter = null; resolve(false) }, ms)
  step2Waiter = () => { clearTimeout(timer); resolve(true) }
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, 0) // messageSync
  syncProtocol.writeSyncStep1(encoder, doc)
  writer.provider.ws.send(encoding.toUint8Array(encoder))
})

const tWrite = now()
let written = 0
while (written < N) {
  if (now() > deadline) break
  if (!writer.provider.wsconnected) break
  if (rate > 0) {
    const allowed = Math.floor(((now() - tWrite) / 1000) * rate)
    if (written >= allowed) { await sleep(2); continue }
  }
  const end = Math.min(N, written + batch, rate > 0 ? Math.max(written + 1, Math.floor(((now() - tWrite) / 1000) * rate)) : N)
  for (; written < end; written++) writeOne(written)
  if (!await roundTrip(60000)) break
}
summary.written = written
summary.write_s = round((now() - tWrite) / 1000, 2)
log(`wrote ${written}/${N} updates in ${summary.write_s} s`)
if (written < N) {
  const hint = closes.some((c) => c.code === 4429)
    ? ' — the server\'s per-connection rate limit closed the writer: raise it for this benchmark, or pass --rate below it'
    : ''
  await finish(1, `the writer stopped after ${written} updates (connected: ${writer.provider.wsconnected}, closes: ${JSON.stringify(closes)})${hint}`)
}

// ---------------------------------------------------------------- confirm the server has everything
const expected = { content: contentOf(doc, kind), sv: stateVectorKey(doc) }
summary.doc_bytes = Y.encodeStateAsUpdate(doc).length
let confirmed = false
while (!confirmed && now() < deadline) {
  const probe = makeClient({ url: opt.url, room: opt.room, token: opt.token, deflate })
  if (await waitSynced(probe.provider, 30000)) {
    confirmed = stateVectorKey(probe.doc) === expected.sv && contentOf(probe.doc, kind) === expected.content
  }
  probe.provider.destroy()
  if (!confirmed) await sleep(500)
}
summary.confirm_s = round((now() - tWrite) / 1000, 2)
if (!confirmed) await finish(1, `a fresh client never saw all ${N} updates within --timeout ${opt.timeout} s`)
log(`the server has all updates (${summary.confirm_s} s after the first)`)

if (!opt['keep-writer']) {
  writer.provider.destroy()
  log(`writer left; waiting ${opt.settle} s`)
}
await sleep(parseFloat(opt.settle) * 1000)

// ---------------------------------------------------------------- timed opens
const opens = []
let matching = 0
for (let k = 0; k < parseInt(opt.opens); k++) {
  if (k > 0) await sleep(parseFloat(opt['settle-between']) * 1000)
  const t0 = now()
  const client = makeClient({ url: opt.url, room: opt.room, token: opt.token, deflate })
  const ok = await waitSynced(client.provider, parseFloat(opt['open-timeout']) * 1000)
  const ms = now() - t0
  if (!ok) {
    client.provider.destroy()
    await finish(1, `open ${k + 1} did not sync within ${opt['open-timeout']} s`)
  }
  opens.push(round(ms, 1))
  if (stateVectorKey(client.doc) === expected.sv && contentOf(client.doc, kind) === expected.content) matching++
  client.provider.destroy()
}
if (opt['keep-writer']) writer.provider.destroy()
summary.opens_ms = opens
summary.first_open_ms = opens[0]
summary.median_open_ms = percentile([...opens].sort((a, b) => a - b), 50)
summary.opens_matching = matching
await finish(matching === opens.length ? 0 : 1)
