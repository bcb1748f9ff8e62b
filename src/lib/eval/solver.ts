/**
 * Solving one question: question + engine → answer, like an inspect_ai solver. The run loop
 * (runner.ts) decides which questions to ask and stores what comes back; this module decides
 * how a question is asked for a run spec:
 * - `choice`, single answer: next-letter probabilities over the question's own letters;
 * - `choice`, multi-answer (`multi=constrained`): generation constrained to an ordered letter set;
 * - `generate`: free text, then answer extraction (extract.ts);
 * - `open`: free text for an open item (no options), stored whole as the answer's explanation;
 * - `icp`: a first call writes knowledge seeds, which the answer prompt then carries;
 * - circular evaluation: the same path again under every rotation of the option texts.
 */
import type { EngineCallRecord, RotationRecord } from '../db/database';
import { orderedSetGrammar } from '../engines/letters';
import type { Engine, Timings } from '../engines/types';
import { isCorrect } from '../scoring/records';
import { extractAnswer, extractExplanation } from './extract';
import { buildIcpAnswerPrompt, buildIcpSeedPrompt, buildPrompt } from './prompts';
import { buildOpenIcpAnswerPrompt, buildOpenIcpSeedPrompt, buildOpenPrompt } from './prompts-open';
import { mapLetters, rotateQuestion } from './rotate';
import type { BuiltPrompt, EvalQuestion, RunSpec } from './types';

const ICP_SEED_TOKENS = 256;

/** What the engine said to a question, ready to be stored as its answer. */
export interface SolvedAnswer {
  calls: EngineCallRecord[];
  promptHash: string;
  raw: string;
  prediction: string;
  status: 'parsed' | 'unparsed';
  extractionRule: string | null;
  correct: boolean;
  optionProbs: Record<string, number> | null;
  explanation: string;
  promptTokens: number;
  completionTokens: number;
  rotations?: RotationRecord[];
}

/**
 * Answer a question under a spec. With `spec.circular` the question is then asked again under
 * each other rotation of its option texts (see rotate.ts), by the same path (ICP seeds, the same
 * few-shot examples, unrotated); every rotation is kept in `rotations`, in the original letters,
 * and its tokens count in the answer's. The main answer is the unrotated one.
 */
export async function solve(
  engine: Engine,
  spec: RunSpec,
  q: EvalQuestion,
  shots: EvalQuestion[],
  /** Receives the answer's generated text as it streams (for a presenter; free text only). */
  onText?: (textSoFar: string) => void,
): Promise<SolvedAnswer> {
  const one = await solveOnce(engine, spec, q, shots, onText);
  const answer = solvedAnswer(one, q.answer);
  if (!spec.circular) return answer;
  const rotations: RotationRecord[] = [
    {
      shift: 0,
      prediction: answer.prediction,
      correct: answer.correct,
      optionProbs: answer.optionProbs,
      raw: answer.raw,
      promptTokens: answer.promptTokens,
      completionTokens: answer.completionTokens,
    },
  ];
  for (let shift = 1; shift < q.options.length; shift++) {
    const { question, toOriginal } = rotateQuestion(q, shift);
    const rotated = await solveOnce(engine, spec, question, shots);
    const prediction = mapLetters(rotated.prediction, toOriginal);
    const rotation: RotationRecord = {
      shift,
      prediction,
      correct: isCorrect({ status: rotated.status, prediction, gold: q.answer }),
      optionProbs: rotated.optionProbs && originalProbs(rotated.optionProbs, toOriginal, q),
      raw: rotated.calls[rotated.calls.length - 1].raw,
      promptTokens: sum(rotated.calls, 'promptTokens'),
      completionTokens: sum(rotated.calls, 'completionTokens'),
    };
    rotations.push(rotation);
    answer.promptTokens += rotation.promptTokens;
    answer.completionTokens += rotation.completionTokens;
  }
  answer.rotations = rotations;
  return answer;
}

/** What the engine said to one question as given (the original or a rotation). */
interface OneAnswer {
  calls: EngineCallRecord[];
  prompt: BuiltPrompt;
  prediction: string;
  status: 'parsed' | 'unparsed';
  rule: string | null;
  explanation: string;
  optionProbs: Record<string, number> | null;
}

async function solveOnce(
  engine: Engine,
  spec: RunSpec,
  q: EvalQuestion,
  shots: EvalQuestion[],
  onText?: (textSoFar: string) => void,
): Promise<OneAnswer> {
  const calls: EngineCallRecord[] = [];
  const open = spec.method === 'open';
  let prompt: BuiltPrompt;
  if (spec.prompt === 'icp') {
    const seedPrompt = open ? await buildOpenIcpSeedPrompt(q) : await buildIcpSeedPrompt(q);
    const seeds = await engine.generate({
      prompt: { messages: seedPrompt.messages },
      maxTokens: ICP_SEED_TOKENS,
      temperature: spec.generation.temperature,
      seed: spec.seed,
    });
    calls.push(
      call(
        'seeds',
        seedPrompt,
        seeds.text,
        seeds.promptTokens,
        seeds.completionTokens,
        seeds.timings,
      ),
    );
    prompt = open
      ? await buildOpenIcpAnswerPrompt(q, seeds.text)
      : await buildIcpAnswerPrompt(q, seeds.text, spec.method);
  } else if (open) {
    prompt = await buildOpenPrompt(q, spec.prompt, shots);
  } else {
    prompt = await buildPrompt(q, { style: spec.prompt, method: spec.method, shots });
  }

  if (spec.method === 'choice' && !q.multi) {
    const letters = q.options.map((o) => o.key);
    const r = await engine.scoreLetters({
      prompt: { messages: prompt.messages },
      letters,
      seed: spec.seed,
    });
    // Most probable letter; ties go to the earlier letter.
    const prediction = letters.reduce(
      (best, l) => (r.probs[l] > r.probs[best] ? l : best),
      letters[0],
    );
    calls.push(call('answer', prompt, prediction, r.promptTokens, 1, r.timings));
    return {
      calls,
      prompt,
      prediction,
      status: 'parsed',
      rule: 'choice',
      explanation: '',
      optionProbs: r.probs,
    };
  }

  const constrained = spec.method === 'choice';
  const g = await engine.generate(
    {
      prompt: { messages: prompt.messages },
      maxTokens: constrained ? q.options.length : spec.generation.maxTokens,
      temperature: spec.generation.temperature,
      seed: spec.seed,
      grammar: constrained ? orderedSetGrammar(q.options.map((o) => o.key)) : undefined,
    },
    constrained ? undefined : onText,
  );
  calls.push(call('answer', prompt, g.text, g.promptTokens, g.completionTokens, g.timings));
  if (open) {
    // The whole reply is the answer: nothing to extract, nothing right or wrong here (the
    // report scores it against the references).
    return {
      calls,
      prompt,
      prediction: '',
      status: 'parsed',
      rule: 'open',
      explanation: g.text,
      optionProbs: null,
    };
  }
  if (constrained) {
    const letters = [...new Set(g.text.replace(/[^A-Z]/g, ''))].sort().join('');
    return {
      calls,
      prompt,
      prediction: letters,
      status: letters ? 'parsed' : 'unparsed',
      rule: 'constrained',
      explanation: '',
      optionProbs: null,
    };
  }
  const extracted = extractAnswer(g.text, q, spec.extraction);
  return {
    calls,
    prompt,
    prediction: extracted.answer,
    status: extracted.status,
    rule: extracted.rule,
    explanation: extractExplanation(g.text),
    optionProbs: null,
  };
}

function solvedAnswer(a: OneAnswer, gold: string): SolvedAnswer {
  const { calls } = a;
  return {
    calls,
    promptHash: calls.map((c) => c.templateHash).join('+') || a.prompt.templateHash,
    raw: calls[calls.length - 1].raw,
    prediction: a.prediction,
    status: a.status,
    extractionRule: a.rule,
    // An open answer is scored as text against its references, never as right or wrong.
    correct:
      a.rule === 'open' ? false : isCorrect({ status: a.status, prediction: a.prediction, gold }),
    optionProbs: a.optionProbs,
    explanation: a.explanation,
    promptTokens: sum(calls, 'promptTokens'),
    completionTokens: sum(calls, 'completionTokens'),
  };
}

function call(
  kind: EngineCallRecord['kind'],
  prompt: BuiltPrompt,
  raw: string,
  promptTokens: number,
  completionTokens: number,
  timings: Timings,
): EngineCallRecord {
  return {
    kind,
    messages: prompt.messages,
    templateHash: prompt.templateHash,
    raw,
    promptTokens,
    completionTokens,
    timings,
  };
}

function sum(calls: EngineCallRecord[], key: 'promptTokens' | 'completionTokens'): number {
  return calls.reduce((n, c) => n + c[key], 0);
}

/** A rotation's letter probabilities under the original letters, in the question's order. */
function originalProbs(
  probs: Record<string, number>,
  toOriginal: Record<string, string>,
  q: EvalQuestion,
): Record<string, number> {
  const byOriginal = new Map<string, number>();
  for (const [shown, p] of Object.entries(probs)) byOriginal.set(toOriginal[shown] ?? shown, p);
  const out: Record<string, number> = {};
  for (const o of q.options) if (byOriginal.has(o.key)) out[o.key] = byOriginal.get(o.key)!;
  for (const [l, p] of byOriginal) if (!(l in out)) out[l] = p;
  return out;
}
