// The page: runs the demo session (app/demo.ts) with the real engine and prints its event trace.
// Plain DOM for now; the Svelte app replaces this later (DESIGN.md "App").

import { formatEvent, toHex } from '../engine/index.ts';
import type { FieldNode, SshEvent } from '../engine/index.ts';
import { DEFAULT_DEMO, runDemo, type DemoOptions } from './demo.ts';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

/** The field tree of a packet, each node with the byte range it covers. */
function fieldList(node: FieldNode): HTMLUListElement {
  const ul = el('ul', undefined, 'fields');
  for (const child of node.children ?? []) {
    const li = el('li');
    const value = child.display ?? (child.value === undefined ? '' : String(child.value));
    li.append(el('span', `[${child.start}, ${child.end}) `, 'range'), `${child.label}${value ? ': ' + value : ''}`);
    if (child.children?.length) li.append(fieldList(child));
    ul.append(li);
  }
  return ul;
}

function hexDump(bytes: Uint8Array, max = 512): string {
  const hex = toHex(bytes.subarray(0, max)).replace(/(..)/g, '$1 ').trim();
  return bytes.length > max ? `${hex} … (${bytes.length} bytes)` : hex;
}

function eventItem(e: SshEvent): HTMLLIElement {
  const li = el('li', undefined, e.side);
  li.dataset['phase'] = String(e.phase);
  li.dataset['type'] = e.type;
  const line = formatEvent(e);
  const side = el('span', e.side, 'side');
  if (e.type === 'packet') {
    const details = el('details');
    const summary = el('summary');
    summary.append(side, line);
    details.append(summary, el('code', hexDump(e.wire), 'hex'), fieldList(e.tree));
    li.append(details);
  } else {
    li.append(side, line);
  }
  return li;
}

function readForm(form: HTMLFormElement): DemoOptions {
  const data = new FormData(form);
  const get = (k: keyof DemoOptions) => String(data.get(k) ?? DEFAULT_DEMO[k]);
  return { seed: get('seed'), user: get('user'), password: get('password'), command: get('command') };
}

function render(opts: DemoOptions): void {
  const summary = document.getElementById('summary')!;
  const trace = document.getElementById('trace')!;
  const output = document.getElementById('output')!;
  const t0 = performance.now();
  let result;
  try {
    result = runDemo(opts);
  } catch (err) {
    summary.textContent = `The engine threw: ${err instanceof Error ? err.message : String(err)}`;
    return;
  }
  const ms = Math.round(performance.now() - t0);
  const packets = result.events.filter((e) => e.type === 'packet').length;
  summary.textContent = `${result.events.length} events, ${packets} packets, in ${ms} ms — exit status ${result.exitStatus ?? 'none'}`;
  output.hidden = !(result.stdout || result.stderr);
  output.textContent = result.stdout + result.stderr;
  trace.replaceChildren(...result.events.map(eventItem));
  document.body.dataset['ready'] = 'true';
}

const form = document.getElementById('demo-form') as HTMLFormElement;
form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  render(readForm(form));
});
render(readForm(form));
