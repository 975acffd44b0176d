// DOM helpers that only ever create text nodes from data: event content is never parsed as HTML.

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') e.textContent = String(v);
    else if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/Z$/, ' UTC');
}

export const RANGES = {
  '15m': 15 * 60e3, '1h': 3600e3, '24h': 86400e3, '7d': 7 * 86400e3, '30d': 30 * 86400e3,
};

/** The stats interval that cuts a span into a few dozen buckets. */
export function intervalFor(ms) {
  const steps = [['30s', 30e3], ['1m', 60e3], ['5m', 300e3], ['10m', 600e3], ['30m', 1800e3],
    ['1h', 3600e3], ['2h', 7200e3], ['4h', 14400e3], ['12h', 43200e3], ['1d', 86400e3], ['7d', 604800e3], ['30d', 2592000e3]];
  for (const [name, len] of steps) if (ms / len <= 60) return { name, ms: len };
  return { name: '366d', ms: 366 * 86400e3 };
}

export const OUTCOME_COLORS = { success: '#2a7a3b', failure: '#b3261e', unknown: '#6b6b6b' };

/**
 * A stacked bar chart (Chart.js from its webjar). onZoom(i0, i1) is called with the bucket
 * indexes of a drag (or a click on one bucket).
 */
export function stackedBars(container, labels, series, { label, onZoom } = {}) {
  const wrap = el('div', { class: 'chart' });
  const canvas = el('canvas', { role: 'img', 'aria-label': label || 'chart' });
  const band = el('div', { class: 'zoom-band', hidden: true });
  wrap.append(canvas, band);
  container.append(wrap);
  if (!window.Chart) {
    wrap.append(el('p', { class: 'muted', text: 'Chart library not loaded.' }));
    return null;
  }
  const chart = new window.Chart(canvas, {
    type: 'bar',
    data: {
      labels,
      datasets: Object.entries(series).map(([name, data]) => ({
        label: name, data, backgroundColor: OUTCOME_COLORS[name] || '#3d5a80', borderWidth: 0,
      })),
    },
    options: {
      animation: false, maintainAspectRatio: false, responsive: true,
      scales: { x: { stacked: true, ticks: { maxTicksLimit: 8, autoSkip: true } }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: 'bottom' } },
    },
  });
  if (onZoom) {
    let start = null;
    const idx = (x) => {
      const i = Math.round(chart.scales.x.getValueForPixel(x));
      return Math.max(0, Math.min(labels.length - 1, i));
    };
    canvas.addEventListener('pointerdown', (ev) => {
      start = ev.offsetX;
      band.hidden = false;
      band.style.left = start + 'px';
      band.style.width = '0px';
    });
    canvas.addEventListener('pointermove', (ev) => {
      if (start === null) return;
      band.style.left = Math.min(start, ev.offsetX) + 'px';
      band.style.width = Math.abs(ev.offsetX - start) + 'px';
    });
    canvas.addEventListener('pointerup', (ev) => {
      if (start === null) return;
      const a = idx(Math.min(start, ev.offsetX));
      const b = idx(Math.max(start, ev.offsetX));
      start = null;
      band.hidden = true;
      onZoom(a, b);
    });
    canvas.addEventListener('pointerleave', () => { start = null; band.hidden = true; });
  }
  return chart;
}
