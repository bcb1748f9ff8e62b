// Deterministic tiny random-weight llama (arch `llama`, SPM tokenizer) for offline tests.
// The weights are noise, but the file is a valid model for llama.cpp: same options and seed give
// byte-identical output, so tests can pin behaviour without downloading real weights.

import { fnv1a32, mulberry32 } from '../../src/lib/random';
import { writeGguf, type GgufTensor, type GgufValue, type TensorType } from './gguf.ts';

/** llama.cpp token types (llama_token_type). */
export const TokenType = {
  NORMAL: 1,
  UNKNOWN: 2,
  CONTROL: 3,
  USER_DEFINED: 4,
  UNUSED: 5,
  BYTE: 6,
} as const;

export interface TinyModelOptions {
  seed: number;
  dim: number;
  layers: number;
  heads: number;
  /** Key/value heads (grouped-query attention); `heads` when not given. */
  kvHeads?: number;
  /**
   * Vocabulary rows; when larger than the generated vocabulary (about 600 tokens), padded with
   * unused tokens so that the embedding and output matrices have a real model's shape.
   */
  vocabSize?: number;
  ffn: number;
  contextLength: number;
  ftype: TensorType;
}

export const DEFAULT_TINY_MODEL_OPTIONS: Readonly<TinyModelOptions> = {
  seed: 42,
  dim: 64,
  layers: 2,
  heads: 4,
  ffn: 128,
  contextLength: 2048,
  ftype: 'f32',
};

export const CHATML_TEMPLATE =
  "{% for message in messages %}<|im_start|>{{ message['role'] }}\n" +
  "{{ message['content'] }}<|im_end|>\n{% endfor %}" +
  '{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}';

// 200 frequent simplified-Chinese characters, including those used by exam prompts
// (答案 解释 选项 病症 治疗 题) so that they tokenize to single tokens, not byte fallback.
const COMMON_CJK =
  '的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着' +
  '去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主' +
  '行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二' +
  '理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走' +
  '电四第门相次东政海口使教西再平真听世气信北少关并内加化由却答案解释选项病症治疗题';

/** SentencePiece marks a preceding space with U+2581. */
const SPACE = '\u2581';

/** Residual dimension held at a constant; `output.weight` reads it as a per-token bias. */
const BIAS_DIM = 0;
const BIAS_CONST = 1;
/**
 * Output-row weights on BIAS_DIM. After the final RMSNorm the constant comes out at roughly 0.8
 * for the default model (measured with llama.cpp), so suppressed tokens (specials, raw bytes) sit
 * near logit -80 while ordinary tokens stay within about +-10: they are never sampled, and never
 * appear in top-n lists shorter than the number of ordinary tokens. <|im_end|> gets a mild boost
 * so that sampled ChatML replies end after tens of tokens; greedy replies mostly run to max_tokens.
 */
const SUPPRESS_WEIGHT = -100;
/** EOS boost at dim 64; scaled by sqrt(dim / 64) because ordinary logits spread like sqrt(dim). */
const EOS_WEIGHT_AT_64 = 4;

// Uniform init half-widths; projections are multiples of 1/sqrt(fan_in). Sharp attention (large
// Q/K) and a strong attention output make answers depend on the prompt's content rather than
// mostly on its last token, so different questions get different letter distributions.
const EMBED_SCALE = 0.5;
const OUTPUT_SCALE = 0.4;
const QK_SCALE = 4;
const V_SCALE = 1;
const ATTN_OUT_SCALE = 3;
const FFN_IN_SCALE = 1;
const FFN_OUT_SCALE = 1;

export interface TinyVocab {
  tokens: string[];
  scores: Float32Array;
  types: Int32Array;
  /** Tokens pushed to the bottom of the distribution (specials and raw bytes). */
  suppressed: boolean[];
  unk: number;
  bos: number;
  eos: number;
  imStart: number;
  imEnd: number;
}

/**
 * Builds the vocabulary: specials, 256 byte-fallback tokens, ChatML, ASCII, `▁X`, CJK, then
 * unused tokens up to `size` when given (they are never produced: suppressed like specials).
 */
export function buildVocab(size?: number): TinyVocab {
  const tokens: string[] = [];
  const scores: number[] = [];
  const types: number[] = [];
  const suppressed: boolean[] = [];
  const seen = new Set<string>();
  let normalRank = 0;
  const add = (text: string, type: number, suppress: boolean): number => {
    if (seen.has(text)) throw new Error(`duplicate token ${JSON.stringify(text)}`);
    seen.add(text);
    tokens.push(text);
    // SPM merges by score; give normal pieces distinct descending scores, specials 0.
    scores.push(type === TokenType.NORMAL ? -++normalRank : 0);
    types.push(type);
    suppressed.push(suppress);
    return tokens.length - 1;
  };

  const unk = add('<unk>', TokenType.UNKNOWN, true);
  const bos = add('<s>', TokenType.CONTROL, true);
  add('</s>', TokenType.CONTROL, true);
  for (let b = 0; b < 256; b++) {
    // Sampling a lone byte can emit invalid UTF-8, which crashes the wllama worker.
    add(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, TokenType.BYTE, true);
  }
  const imStart = add('<|im_start|>', TokenType.CONTROL, true);
  // <|im_end|> stays sampleable: it is the EOS that ends a ChatML turn.
  const imEnd = add('<|im_end|>', TokenType.CONTROL, false);
  add(SPACE, TokenType.NORMAL, false);
  for (let c = 0x21; c <= 0x7e; c++) add(String.fromCharCode(c), TokenType.NORMAL, false);
  const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  for (const ch of alnum) add(SPACE + ch, TokenType.NORMAL, false);
  for (const ch of COMMON_CJK) add(ch, TokenType.NORMAL, false);
  if (size !== undefined && size < tokens.length) {
    throw new Error(`vocab size must be at least ${tokens.length} (the generated vocabulary)`);
  }
  for (let i = 0; tokens.length < (size ?? 0); i++) add(`<unused${i}>`, TokenType.UNUSED, true);

  return {
    tokens,
    scores: Float32Array.from(scores),
    types: Int32Array.from(types),
    suppressed,
    unk,
    bos,
    eos: imEnd,
    imStart,
    imEnd,
  };
}

function tensorRng(seed: number, name: string): () => number {
  return mulberry32(fnv1a32(`${seed >>> 0}:${name}`));
}

/** Uniform(-scale, scale) matrix in ggml layout: `rows` rows of `cols` contiguous values. */
function randomMatrix(
  seed: number,
  name: string,
  cols: number,
  rows: number,
  scale: number,
): Float32Array {
  const rng = tensorRng(seed, name);
  const data = new Float32Array(cols * rows);
  for (let i = 0; i < data.length; i++) data[i] = (rng() * 2 - 1) * scale;
  return data;
}

function ones(n: number): Float32Array {
  return new Float32Array(n).fill(1);
}

export function validateOptions(o: TinyModelOptions): void {
  const positiveInt = (n: number) => Number.isInteger(n) && n > 0;
  for (const key of ['dim', 'layers', 'heads', 'ffn', 'contextLength'] as const) {
    if (!positiveInt(o[key])) throw new Error(`${key} must be a positive integer`);
  }
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) {
    throw new Error('seed must be an integer in [0, 2^32)');
  }
  if (o.dim % o.heads !== 0) throw new Error('dim must be divisible by heads');
  const kvHeads = o.kvHeads ?? o.heads;
  if (!positiveInt(kvHeads) || o.heads % kvHeads !== 0) {
    throw new Error('kv heads must be a positive integer that divides heads');
  }
  if (o.vocabSize !== undefined && !positiveInt(o.vocabSize)) {
    throw new Error('vocab size must be a positive integer');
  }
  if ((o.dim / o.heads) % 2 !== 0) throw new Error('head dim must be even (RoPE rotates pairs)');
  if (o.dim < 2) throw new Error('dim must be at least 2 (one dim is the bias channel)');
  if (o.ftype !== 'f32' && o.ftype !== 'f16') throw new Error('ftype must be f32 or f16');
}

export interface TinyModel {
  bytes: Uint8Array;
  vocab: TinyVocab;
  options: TinyModelOptions;
  tensorCount: number;
}

/** Builds the whole GGUF file in memory. */
export function buildTinyModel(options: TinyModelOptions): TinyModel {
  validateOptions(options);
  const { seed, dim, layers, heads, ffn, contextLength, ftype } = options;
  const kvHeads = options.kvHeads ?? heads;
  const vocab = buildVocab(options.vocabSize);
  const nVocab = vocab.tokens.length;
  const headDim = dim / heads;

  // Embeddings: BIAS_DIM constant for every token, other dims random.
  const tokEmbd = randomMatrix(seed, 'token_embd.weight', dim, nVocab, EMBED_SCALE);
  for (let t = 0; t < nVocab; t++) tokEmbd[t * dim + BIAS_DIM] = BIAS_CONST;

  // Output head: ordinary tokens ignore BIAS_DIM; suppressed tokens and the EOS read only
  // BIAS_DIM, giving them a near-constant logit (hard negative, resp. mildly positive).
  const output = randomMatrix(seed, 'output.weight', dim, nVocab, OUTPUT_SCALE);
  for (let t = 0; t < nVocab; t++) {
    const row = output.subarray(t * dim, (t + 1) * dim);
    if (vocab.suppressed[t]) {
      row.fill(0);
      row[BIAS_DIM] = SUPPRESS_WEIGHT;
    } else if (t === vocab.eos) {
      row.fill(0);
      row[BIAS_DIM] = EOS_WEIGHT_AT_64 * Math.sqrt(dim / 64);
    } else {
      row[BIAS_DIM] = 0;
    }
  }

  const tensors: GgufTensor[] = [
    { name: 'token_embd.weight', dims: [dim, nVocab], type: ftype, data: tokEmbd },
    // Norm weights stay F32 as in llama.cpp conversions (1-D tensors are never quantised).
    { name: 'output_norm.weight', dims: [dim], type: 'f32', data: ones(dim) },
    { name: 'output.weight', dims: [dim, nVocab], type: ftype, data: output },
  ];

  const inv = (fanIn: number): number => 1 / Math.sqrt(fanIn);
  for (let l = 0; l < layers; l++) {
    const p = `blk.${l}`;
    const mat = (name: string, cols: number, rows: number, scale: number): GgufTensor => ({
      name: `${p}.${name}`,
      dims: [cols, rows],
      type: ftype,
      data: randomMatrix(seed, `${p}.${name}`, cols, rows, scale),
    });
    // Residual writers: zero the row that produces BIAS_DIM so the constant survives every layer.
    const zeroBiasRow = (t: GgufTensor): GgufTensor => {
      const cols = t.dims[0];
      t.data.fill(0, BIAS_DIM * cols, (BIAS_DIM + 1) * cols);
      return t;
    };
    tensors.push(
      { name: `${p}.attn_norm.weight`, dims: [dim], type: 'f32', data: ones(dim) },
      mat('attn_q.weight', dim, heads * headDim, QK_SCALE * inv(dim)),
      mat('attn_k.weight', dim, kvHeads * headDim, QK_SCALE * inv(dim)),
      mat('attn_v.weight', dim, kvHeads * headDim, V_SCALE * inv(dim)),
      zeroBiasRow(mat('attn_output.weight', heads * headDim, dim, ATTN_OUT_SCALE * inv(dim))),
      { name: `${p}.ffn_norm.weight`, dims: [dim], type: 'f32', data: ones(dim) },
      mat('ffn_gate.weight', dim, ffn, FFN_IN_SCALE * inv(dim)),
      mat('ffn_up.weight', dim, ffn, FFN_IN_SCALE * inv(dim)),
      zeroBiasRow(mat('ffn_down.weight', ffn, dim, FFN_OUT_SCALE * inv(ffn))),
    );
  }

  const u32 = (value: number): GgufValue => ({ type: 'uint32', value });
  const metadata: Array<[string, GgufValue]> = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: 'tiny-random-llama' }],
    // llama_ftype: 0 = ALL_F32, 1 = MOSTLY_F16.
    ['general.file_type', u32(ftype === 'f32' ? 0 : 1)],
    ['llama.vocab_size', u32(nVocab)],
    ['llama.context_length', u32(contextLength)],
    ['llama.embedding_length', u32(dim)],
    ['llama.block_count', u32(layers)],
    ['llama.feed_forward_length', u32(ffn)],
    ['llama.attention.head_count', u32(heads)],
    ['llama.attention.head_count_kv', u32(kvHeads)],
    ['llama.rope.dimension_count', u32(headDim)],
    ['llama.rope.freq_base', { type: 'float32', value: 10000 }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'float32', value: 1e-5 }],
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'string[]', value: vocab.tokens }],
    ['tokenizer.ggml.scores', { type: 'float32[]', value: vocab.scores }],
    ['tokenizer.ggml.token_type', { type: 'int32[]', value: vocab.types }],
    ['tokenizer.ggml.bos_token_id', u32(vocab.bos)],
    ['tokenizer.ggml.eos_token_id', u32(vocab.eos)],
    ['tokenizer.ggml.unknown_token_id', u32(vocab.unk)],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: true }],
    ['tokenizer.ggml.add_eos_token', { type: 'bool', value: false }],
    ['tokenizer.chat_template', { type: 'string', value: CHATML_TEMPLATE }],
  ];

  const bytes = writeGguf({ metadata, tensors, alignment: 32 });
  return { bytes, vocab, options: { ...options }, tensorCount: tensors.length };
}

export { mulberry32 };
