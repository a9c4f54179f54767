// The bench's verdict: the table, the ratios against the issue's targets, and the checks that
// every counted run was clean and memory stayed flat.
import { DISTURBED } from './quiet.mjs';

/**
 * Memory is flat when the RSS after every counted run is within RSS_GROWTH_LIMIT of the RSS after
 * the first, or within RSS_SLACK_MB per process, whichever allows more: a V8 heap under load
 * breathes by tens of MB from one run to the next without any leak (the table shows each value).
 */
export const RSS_GROWTH_LIMIT = 0.15;
export const RSS_SLACK_MB = 50;
/** Above this share of its core, the load generator, not the server, may be what limits. */
const LOAD_SATURATED = 0.9;

/** The targets of issue 4: ratios of median rates from the same run. */
export const TARGETS = [
  {
    label: 'token RS256 (post) ÷ raw RS256 sign',
    of: 'token-rs256-post',
    to: 'sign-RS256',
    min: 0.9,
  },
  {
    label: 'token RS256 (post) ÷ oidc-provider RS256',
    of: 'token-rs256-post',
    to: 'oidc-provider-rs256',
    min: 1.6,
  },
  {
    label: 'token ES256 ÷ bare Nest + Fastify form POST',
    of: 'token-es256-post',
    to: 'bare-form-post',
    min: 0.35,
  },
  {
    label: 'token ES256 ÷ oidc-provider RS256',
    of: 'token-es256-post',
    to: 'oidc-provider-rs256',
    min: 6,
  },
  {
    label: 'weather-api authorized ÷ guard off',
    of: 'weather-authorized',
    to: 'weather-guard-off',
    min: 0.85,
  },
];

/** Ratios worth seeing that the issue sets no target for. */
export const INFO_RATIOS = [
  { label: 'token RS256 (basic) ÷ raw RS256 sign', of: 'token-rs256-basic', to: 'sign-RS256' },
  { label: 'token ES256 ÷ raw ES256 sign', of: 'token-es256-post', to: 'sign-ES256' },
  { label: 'token EdDSA ÷ raw EdDSA sign', of: 'token-eddsa-post', to: 'sign-EdDSA' },
  {
    label: 'weather-api, every token new (cache misses) ÷ guard off',
    of: 'weather-uncached',
    to: 'weather-guard-off',
  },
  {
    label: 'token RS256, 2 workers ÷ 1 worker',
    of: 'token-rs256-post-2-workers',
    to: 'token-rs256-post',
  },
];

/** The run whose rate is the median (the lower middle one for an even count). */
export function medianRun(runs) {
  const sorted = [...runs].sort((a, b) => a.rate - b.rate);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

const integer = (value) => Math.round(value).toLocaleString('en-US');
const fixed = (value, digits = 1) => (value === undefined ? '–' : value.toFixed(digits));

function ratioText(value, min) {
  return min >= 1 ? `${value.toFixed(2)}×` : `${(value * 100).toFixed(0)}%`;
}

/** Evaluates the targets, the clean-run rule and the memory rule on the results. */
export function verdict(results, { enforceTargets }) {
  const rate = (id) => results.scenarios.find((s) => s.id === id)?.median?.rate;
  const ratio = ({ label, of, to, min }) => {
    const a = rate(of);
    const b = rate(to);
    const value = a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
    const met = value === undefined ? undefined : value >= min;
    return { label, of, to, min, value, met };
  };
  const targets = TARGETS.map(ratio);
  const info = INFO_RATIOS.map((r) => ratio({ ...r, min: undefined }));

  const http = results.scenarios.filter((s) => s.kind === 'http');
  const unclean = [];
  for (const scenario of results.scenarios) {
    if (scenario.error) unclean.push(`${scenario.id}: ${scenario.error.split('\n')[0]}`);
    for (const [index, run] of (scenario.runs ?? []).entries()) {
      const bad = run.errors + run.non2xx + run.unverified;
      if (bad > 0) {
        unclean.push(
          `${scenario.id} run ${index + 1}: ${run.errors} errors, ${run.non2xx} non-2xx, ${run.unverified} unverified`,
        );
      }
    }
    const warmup = scenario.warmup;
    if (warmup && warmup.errors + warmup.non2xx + warmup.unverified > 0) {
      unclean.push(
        `${scenario.id} warm-up: ${warmup.errors} errors, ${warmup.non2xx} non-2xx, ${warmup.unverified} unverified`,
      );
    }
  }
  const memory = [];
  for (const scenario of http) {
    const runs = (scenario.runs ?? []).filter((run) => run.rssMb !== undefined);
    if (runs.length < 2) continue;
    const first = runs[0].rssMb;
    const growthMb = Math.max(...runs.map((run) => run.rssMb)) - first;
    const allowedMb = Math.max(first * RSS_GROWTH_LIMIT, RSS_SLACK_MB * runs[0].processes);
    memory.push({
      id: scenario.id,
      growthMb,
      growth: growthMb / first,
      allowedMb,
      flat: growthMb <= allowedMb,
    });
  }
  const saturated = http
    .filter((s) => (s.runs ?? []).some((run) => run.loadCpu > LOAD_SATURATED))
    .map((s) => s.id);

  const disturbed = [];
  for (const scenario of results.scenarios) {
    const cores = Math.max(
      0,
      ...(scenario.runs ?? []).map((run) => (run.backgroundCpu ?? 0) + (run.stolenCpu ?? 0)),
    );
    if (cores > DISTURBED) disturbed.push({ id: scenario.id, cores });
  }

  const clean = unclean.length === 0;
  const memoryFlat = memory.every((m) => m.flat);
  const targetsMet = targets.every((t) => t.met === true);
  const pass = clean && (!enforceTargets || (targetsMet && memoryFlat));
  return {
    targets,
    info,
    clean,
    unclean,
    memory,
    memoryFlat,
    saturated,
    disturbed,
    targetsMet,
    pass,
  };
}

/** The results table (Markdown, so a run can be pasted into docs/performance.md as is). */
export function table(results) {
  const rows = [
    [
      'scenario',
      'req/s',
      'p50 ms',
      'p99 ms',
      'errors',
      'non-2xx',
      'unverified',
      'RSS MB after each run',
      'CPU server / load gen',
    ],
  ];
  for (const s of results.scenarios) {
    if (s.error) {
      rows.push([s.label, 'failed', '', '', '', '', '', '', '']);
    } else if (s.kind === 'sign') {
      rows.push([s.label, `${integer(s.median.rate)} ops/s`, '', '', '', '', '', '', '']);
    } else {
      const m = s.median;
      const sum = (field) => s.runs.reduce((total, run) => total + run[field], 0);
      rows.push([
        s.label,
        integer(m.rate),
        fixed(m.p50, 0),
        fixed(m.p99, 0),
        String(sum('errors')),
        String(sum('non2xx')),
        String(sum('unverified')),
        s.runs.map((run) => fixed(run.rssMb, 0)).join(' / '),
        `${fixed(m.serverCpu * 100, 0)}% / ${fixed(m.loadCpu * 100, 0)}%`,
      ]);
    }
  }
  return markdown(rows, [false, true, true, true, true, true, true, true, true]);
}

/** The ratios table, with PASS/FAIL against the targets (or "info" when they are not enforced). */
export function ratioTable(judged, { enforceTargets }) {
  const rows = [['ratio (median req/s)', 'value', 'target', 'result']];
  for (const t of judged.targets) {
    const result = t.met === undefined ? 'n/a' : t.met ? 'PASS' : 'FAIL';
    rows.push([
      t.label,
      t.value === undefined ? '–' : ratioText(t.value, t.min),
      `≥ ${ratioText(t.min, t.min)}`,
      enforceTargets ? result : `(${result}, not enforced)`,
    ]);
  }
  for (const t of judged.info) {
    if (t.value === undefined) continue;
    rows.push([t.label, ratioText(t.value, t.value >= 1 ? 1 : 0), '', 'info']);
  }
  return markdown(rows, [false, true, false, false]);
}

/** A Markdown table of `rows` (the first is the header); `right[c]` right-aligns column c. */
export function markdown(rows, right) {
  const widths = rows[0].map((_, c) => Math.max(3, ...rows.map((row) => row[c].length)));
  const line = (row) =>
    `| ${row.map((cell, c) => (right[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, c) => (right[c] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(rows[0]), rule, ...rows.slice(1).map(line)].join('\n');
}
