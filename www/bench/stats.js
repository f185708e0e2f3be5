// Timing helpers: warm-up, then `runs` timed runs; median and min–max in ms.

export function summarise(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const n = s.length;
  const median = n % 2 ? s[(n - 1) / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  return { median, min: s[0], max: s[n - 1], runs: n, samples: ms };
}

/** Times `fn(i)` (sync or async) `runs` times after `warm` warm-up calls. */
export async function measure(runs, fn, { warm = 1, after } = {}) {
  for (let i = 0; i < warm; i++) {
    await fn(-1 - i);
    if (after) await after();
  }
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn(i);
    ms.push(performance.now() - t0);
    if (after) await after();
  }
  return summarise(ms);
}

/** Collects named laps inside one timed run: lap('x') adds time since the last lap. */
export function laps() {
  let last = performance.now();
  const out = {};
  return {
    lap(name) {
      const now = performance.now();
      out[name] = (out[name] ?? 0) + (now - last);
      last = now;
    },
    out,
  };
}

/** Like measure, but fn receives a laps() recorder; returns { total, [lap]: summary }. */
export async function measureLaps(runs, fn, { warm = 1 } = {}) {
  for (let i = 0; i < warm; i++) await fn(laps(), -1 - i);
  const totals = [];
  const per = {};
  for (let i = 0; i < runs; i++) {
    const rec = laps();
    const t0 = performance.now();
    await fn(rec, i);
    totals.push(performance.now() - t0);
    for (const [k, v] of Object.entries(rec.out)) (per[k] ??= []).push(v);
  }
  const result = { total: summarise(totals) };
  for (const [k, v] of Object.entries(per)) result[k] = summarise(v);
  return result;
}
