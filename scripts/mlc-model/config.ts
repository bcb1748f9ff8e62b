// mlc-chat-config.json for a generated model, as web-llm reads it: the model's dimensions from
// the library's own parameter list, Qwen2's ChatML conversation template and stop tokens.
import { LibraryMetadataError, type LibraryMetadata } from './metadata';

/** Model types whose chat config this generator knows. */
export const SUPPORTED_MODEL_TYPES = ['qwen2'] as const;

/** Qwen2's `<|endoftext|>` and `<|im_end|>`. */
export const QWEN2_STOP_TOKEN_IDS = [151643, 151645];

export interface ModelDimensions {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
}

export function dimensionsOf(meta: LibraryMetadata): ModelDimensions {
  const param = (name: string) => {
    const p = meta.params.find((x) => x.name === name);
    if (!p) throw new LibraryMetadataError(`Parameter "${name}" is not in the library.`);
    return p;
  };
  const embed = param('model.embed_tokens.q_weight');
  const gateUp = param('model.layers.0.mlp.gate_up_proj.q_weight');
  return {
    vocabSize: embed.shape[0],
    // Eight 4-bit values a word along the input dimension.
    hiddenSize: embed.shape[1] * 8,
    intermediateSize: gateUp.shape[0] / 2,
  };
}

export function chatConfigOf(meta: LibraryMetadata): Record<string, unknown> {
  if (!(SUPPORTED_MODEL_TYPES as readonly string[]).includes(meta.modelType)) {
    throw new LibraryMetadataError(
      `Metadata field "model_type" is "${meta.modelType}": only ${SUPPORTED_MODEL_TYPES.join(', ')} is supported.`,
    );
  }
  const d = dimensionsOf(meta);
  const kv = meta.kvCache;
  return {
    version: '0.1.0',
    model_type: meta.modelType,
    quantization: meta.quantization,
    model_config: {
      hidden_act: 'silu',
      hidden_size: d.hiddenSize,
      intermediate_size: d.intermediateSize,
      num_attention_heads: kv.numAttentionHeads,
      num_hidden_layers: kv.numHiddenLayers,
      num_key_value_heads: kv.numKeyValueHeads,
      head_dim: kv.headDim,
      rms_norm_eps: 1e-6,
      rope_theta: 1000000,
      vocab_size: d.vocabSize,
      tie_word_embeddings: true,
      context_window_size: meta.contextWindowSize,
      prefill_chunk_size: meta.prefillChunkSize,
      tensor_parallel_shards: 1,
    },
    vocab_size: d.vocabSize,
    context_window_size: meta.contextWindowSize,
    sliding_window_size: meta.slidingWindowSize,
    prefill_chunk_size: meta.prefillChunkSize,
    attention_sink_size: meta.attentionSinkSize,
    tensor_parallel_shards: 1,
    temperature: 0.7,
    presence_penalty: 0,
    frequency_penalty: 0,
    repetition_penalty: 1.05,
    top_p: 0.8,
    tokenizer_files: ['tokenizer.json'],
    tokenizer_info: {
      token_postproc_method: 'byte_level',
      prepend_space_in_encode: false,
      strip_space_in_decode: false,
    },
    conv_template: {
      name: 'qwen2',
      system_template: '<|im_start|>system\n{system_message}<|im_end|>\n',
      system_message: 'You are a helpful assistant.',
      system_prefix_token_ids: null,
      add_role_after_system_message: true,
      roles: { user: '<|im_start|>user', assistant: '<|im_start|>assistant' },
      role_templates: {
        user: '{user_message}',
        assistant: '{assistant_message}',
        tool: '{tool_message}',
      },
      messages: [],
      seps: ['<|im_end|>\n'],
      role_content_sep: '\n',
      role_empty_sep: '\n',
      stop_str: ['<|endoftext|>', '<|im_end|>'],
      stop_token_ids: QWEN2_STOP_TOKEN_IDS,
      function_string: '',
      use_function_calling: false,
    },
    pad_token_id: 151643,
    bos_token_id: 151643,
    eos_token_id: QWEN2_STOP_TOKEN_IDS,
  };
}
