// The projection controls and the evidence and risk panel. Profile strings are untrusted
// (a clinic may load its own file): they are only ever set as text.

import { el } from './analysis-view.js';

export const GRADE_WORDS = {
  strong: 'Strong evidence: several randomised trials or a meta-analysis',
  moderate: 'Moderate evidence: one or two small randomised trials',
  weak: 'Weak evidence: uncontrolled, industry-linked or not significant',
  assumption: 'No usable evidence: numbers borrowed from a related treatment, widest band',
};
const GRADE_SHORT = { strong: 'strong', moderate: 'moderate', weak: 'weak', assumption: 'assumption only' };

const pct = (x) => `${Math.round((x ?? 0) * 100)}%`;

/** What the profile says about a pair, looked up in the engine's coverage table (the
 * worker's `profile` result: coverage[treatment][concern]). */
export function coverageOf(coverage, treatment, concern) {
  return coverage?.[treatment]?.[concern] ?? { kind: 'not-listed' };
}

function option(value, text) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = text;
  return o;
}

/** Fills the concern select from the profile, keeping `keep` if it is still there. */
export function fillConcerns(select, profile, keep) {
  select.replaceChildren(...profile.concerns.map((c) => option(c.id, c.name)));
  if (profile.concerns.some((c) => c.id === keep)) select.value = keep;
}

/** Fills a treatment select for a concern, each option saying how good its evidence is. */
export function fillTreatments(select, profile, coverage, concern, keep, noneText) {
  const opts = [option('', noneText)];
  for (const t of profile.treatments) {
    const cov = coverageOf(coverage, t.id, concern);
    const note =
      cov.kind === 'evidence' ? `${GRADE_SHORT[cov.outcome.grade] ?? cov.outcome.grade} evidence` : 'no evidence to project';
    opts.push(option(t.id, `${t.name} (${note})`));
  }
  select.replaceChildren(...opts);
  select.value = profile.treatments.some((t) => t.id === keep) ? keep : '';
}

export function citationText(c) {
  const parts = [c.authors, c.journal, c.year, c.reference, c.doi ? `doi:${c.doi}` : null, c.pmid ? `PMID ${c.pmid}` : null, c.url];
  const head = parts.filter((p) => p != null && p !== '').join(', ');
  return c.design ? `${head}. ${c.design}` : head;
}

function citationList(citations = []) {
  if (!citations.length) return null;
  return el('ol', { class: 'citations' }, ...citations.map((c) => el('li', {}, citationText(c))));
}

/** One sentence about the band at this week. */
export function bandSentence(plan, concernChannels) {
  if (!plan.band) return '';
  const ch = concernChannels.length ? concernChannels : ['pigment', 'redness', 'texture'];
  const words = { pigment: 'extra pigment', redness: 'extra redness', texture: 'depth or height of the scar' };
  return ch
    .map((c) => `${words[c]}: ${pct(plan.band.low?.[c])} to ${pct(plan.band.high?.[c])} removed, typically ${pct(plan.band.typical?.[c])}`)
    .join('; ');
}

/** The relapse after stopping: the residual band, when it is reached, and its basis. */
export function relapseText(o) {
  const r = o.relapse;
  if (typeof r === 'string') return r;
  const start = Math.max(o.protocol?.course_weeks ?? 0, o.points?.at(-1)?.week ?? 0);
  const bands = ['pigment', 'redness', 'texture']
    .filter((c) => r[c])
    .map((c) => `${pct(r[c].low)} to ${pct(r[c].high)} removed, typically ${pct(r[c].typical)}`);
  return `by week ${start + r.weeks_to_residual} the effect falls to ${bands.join('; ')}. ${r.basis ?? ''}`;
}

/** Short facts for a plan card (plan A vs plan B). */
export function planFacts(root, plan, profile) {
  const concern = profile.concerns.find((c) => c.id === plan.concern);
  const lines = [];
  if (!plan.treatment) lines.push(el('p', { class: 'muted' }, 'No treatment chosen.'));
  else if (plan.coverage?.kind === 'evidence') {
    lines.push(el('p', { class: `grade grade-${plan.coverage.outcome.grade}` }, GRADE_WORDS[plan.coverage.outcome.grade] ?? plan.coverage.outcome.grade));
    lines.push(el('p', {}, `At week ${plan.week}: ${bandSentence(plan, concern?.channels ?? [])}.`));
    if (plan.fractions?.extrapolated) lines.push(el('p', { class: 'extrapolated' }, 'Extrapolated: later than any measured week.'));
  } else if (plan.coverage?.kind === 'gap') {
    lines.push(el('p', { class: 'gap' }, `Not projected: ${plan.coverage.gap.reason}`));
  } else {
    lines.push(el('p', { class: 'gap' }, 'Not projected: this profile has nothing on this treatment for this concern.'));
  }
  if (plan.risks?.length) lines.push(el('p', { class: 'risk-inline' }, `Risk for this skin: ${plan.risks.length === 1 ? '1 warning' : `${plan.risks.length} warnings`} (see the evidence panel).`));
  root.replaceChildren(...lines);
}

/** The evidence panel for plan A. */
export function renderEvidence(body, riskBox, plan, profile, coverage) {
  const treatment = profile.treatments.find((t) => t.id === plan.treatment);
  const concern = profile.concerns.find((c) => c.id === plan.concern);
  const parts = [];
  if (!treatment || !concern) {
    parts.push(el('p', { class: 'muted' }, 'Choose a concern and a treatment to see what the studies say.'));
  } else {
    parts.push(el('h3', { class: 'h3' }, `${treatment.name} for ${concern.name.toLowerCase()}`));
    if (treatment.description) parts.push(el('p', { class: 'small muted' }, treatment.description));
    const cov = plan.coverage ?? coverageOf(coverage, plan.treatment, plan.concern);
    if (cov.kind === 'evidence') {
      const o = cov.outcome;
      parts.push(el('p', { class: `grade grade-${o.grade}` }, el('strong', {}, 'Grade: '), GRADE_WORDS[o.grade] ?? o.grade));
      parts.push(
        el('p', { class: 'band' }, el('strong', {}, `Range at week ${plan.week} `), `(${plan.scenario} scenario shown): ${bandSentence(plan, concern.channels)}.`),
      );
      if (plan.fractions?.extrapolated) {
        const last = o.points.at(-1)?.week;
        parts.push(el('p', { class: 'extrapolated' }, `Extrapolated: the studies stopped measuring at week ${last}. Later weeks hold the last measured effect; no one has measured them.`));
      }
      if (o.protocol?.description) parts.push(el('p', { class: 'small' }, el('strong', {}, 'Protocol: '), o.protocol.description));
      if (o.comparator) parts.push(el('p', { class: 'small' }, el('strong', {}, 'Compared with: '), o.comparator));
      if (o.relapse) parts.push(el('p', { class: 'small relapse' }, el('strong', {}, o.relapse.assumption ? 'After stopping (assumed, not measured): ' : 'After stopping: '), relapseText(o)));
      parts.push(el('p', { class: 'assumption' }, el('strong', {}, 'How this picture is made: '),
        'studies measured clinical scores, not photos, so a reported improvement of, say, 30% is shown as 30% of the visible excess colour or relief removed; that is an assumption, not a measurement.'));
      const details = el('details', { class: 'more' }, el('summary', {}, 'Sources and how the numbers were derived'));
      if (o.mapping) details.append(el('p', { class: 'small' }, o.mapping));
      const cites = citationList(o.citations);
      if (cites) details.append(cites);
      if (profile.modelling_assumption) details.append(el('p', { class: 'small muted' }, profile.modelling_assumption));
      parts.push(details);
    } else if (cov.kind === 'gap') {
      parts.push(el('p', { class: 'gap' }, el('strong', {}, 'No projection: '), cov.gap.reason));
      const cites = citationList(cov.gap.citations);
      if (cites) parts.push(cites);
      parts.push(el('p', { class: 'small muted' }, 'The after picture shows your photo unchanged, because there is no evidence to base a change on.'));
    } else {
      parts.push(el('p', { class: 'gap' }, el('strong', {}, 'No projection: '), 'this evidence profile says nothing about this treatment for this concern.'));
    }
  }
  body.replaceChildren(...parts);

  const risks = plan.risks ?? [];
  if (risks.length) {
    riskBox.replaceChildren(
      el('h3', { class: 'h3' }, 'Risk for this skin tone'),
      ...risks.map((r) => el('div', { class: 'risk' }, el('p', {}, r.message), r.source ? el('p', { class: 'small muted' }, `Source: ${citationText(r.source)}`) : null)),
    );
    riskBox.hidden = false;
  } else {
    riskBox.replaceChildren();
    riskBox.hidden = true;
  }
}

/** Marks the cited weeks under the week slider. */
export function renderTicks(root, outcome) {
  const weeks = outcome?.points?.map((p) => p.week).filter((w) => w <= 52) ?? [];
  root.replaceChildren(
    ...weeks.map((w) => {
      const tick = el('span', { class: 'tick', title: `Measured at week ${w}` }, `${w}`);
      tick.style.left = `${(w / 52) * 100}%`;
      return tick;
    }),
  );
}

const GRADE_RANK = { strong: 4, moderate: 3, weak: 2, assumption: 1 };
/** The generic concern for each channel, when the profile has it (brown spots, red marks, pits). */
const CHANNEL_CONCERN = { pigment: 'sun-spots', redness: 'post-inflammatory-redness', texture: 'atrophic-acne-scars' };

/**
 * A plan to open with, for what the analysis found: the channel with the most affected
 * area (pigment when nothing was found), its concern, and that concern's best-graded
 * treatment. Null when the profile has no evidence for any concern of that channel.
 */
export function defaultPlan(profile, report) {
  const affected = report?.affected_percent ?? {};
  const channels = ['pigment', 'redness', 'texture'];
  const channel = channels.reduce((best, c) => ((affected[c] ?? 0) > (affected[best] ?? 0) ? c : best), 'pigment');
  const best = (concern) =>
    profile.outcomes
      .filter((o) => o.concern === concern && profile.treatments.some((t) => t.id === o.treatment))
      .sort((x, y) => (GRADE_RANK[y.grade] ?? 0) - (GRADE_RANK[x.grade] ?? 0))[0];
  const concerns = profile.concerns.filter((c) => c.channels?.includes(channel)).map((c) => c.id);
  const preferred = CHANNEL_CONCERN[channel];
  for (const concern of concerns.includes(preferred) ? [preferred, ...concerns] : concerns) {
    const outcome = best(concern);
    if (outcome) return { concern, treatment: outcome.treatment, channel };
  }
  return null;
}
