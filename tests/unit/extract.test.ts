import { describe, expect, it } from 'vitest';
import {
  cmexamAnswer,
  cmexamExplanation,
  extractAnswer,
  extractExplanation,
} from '../../src/lib/eval/extract';
import type { EvalQuestion } from '../../src/lib/eval/types';

type Q = Pick<EvalQuestion, 'options'>;

const options = (texts: string[]): Q => ({
  options: texts.map((text, i) => ({ key: String.fromCharCode(65 + i), text })),
});

/** Five options, A–E, as most CMExam questions have. */
const FIVE = options(['出血量', '血压下降', '心率加快', '尿量减少', '中心静脉压升高']);
/** Four options, A–D: `E` is a letter that is not an option here. */
const FOUR = options(['阿托品', '毛果芸香碱', '新斯的明', '毒扁豆碱']);
/** For the option-text layer: `肝炎` sits inside `病毒性肝炎`, `肝` is one character. */
const TEXTS = options(['肝炎', '病毒性肝炎', '肝', '胆囊结石', '急性胰腺炎']);
/** CMExam-style option texts with spaces: CMExam's rule only uses the first word. */
const SPACED = options(['0.9% 氯化钠 溶液', '5% 葡萄糖', '乳酸林格液', '羟乙基淀粉', '全血']);

type Row = [name: string, text: string, answer: string, rule: string | null];

const parsed: Row[] = [
  // Layer 1: an explicit answer field.
  ['CMExam format', '答案：A\n解释：失血性休克时首先出现的是出血量的增加。', 'A', 'answer-field'],
  ['half-width colon with space', '答案: C', 'C', 'answer-field'],
  ['prompt-template format', '答案: B 血压下降. \n 解释:因为……', 'B', 'answer-field'],
  ['multi, 、', '答案: A、C', 'AC', 'answer-field'],
  ['multi, comma', '答案：A,C,D', 'ACD', 'answer-field'],
  ['multi, full-width comma', '答案：Ａ，Ｃ', 'AC', 'answer-field'],
  ['multi, run of letters', '答案：ABD\n解释：……', 'ABD', 'answer-field'],
  ['multi, unsorted and repeated', '答案：DBB', 'BD', 'answer-field'],
  ['multi, 和', '答案是A和C', 'AC', 'answer-field'],
  ['multi, 与', '答案为A与E。', 'AE', 'answer-field'],
  ['multi, English and', 'The answer is A and C.', 'AC', 'answer-field'],
  ['bracketed label', '【答案】B\n【解析】……', 'B', 'answer-field'],
  ['正确答案是', '经过分析，正确答案是 D。', 'D', 'answer-field'],
  ['答案为', '答案为E', 'E', 'answer-field'],
  [
    '答案应为 (listed as a conclusion, caught first here)',
    '综合来看，答案应为C。',
    'C',
    'answer-field',
  ],
  ['所以答案是 (idem)', '所以答案是D', 'D', 'answer-field'],
  ['full-width letter', '答案：Ａ', 'A', 'answer-field'],
  ['full-width brackets', '答案：（Ｃ）', 'C', 'answer-field'],
  ['Chinese brackets', '答案：【B】', 'B', 'answer-field'],
  ['Markdown bold', '**答案：B**\n\n**解释：** ……', 'B', 'answer-field'],
  ['answer: option X', '答案：选项D', 'D', 'answer-field'],
  ['English field', 'Answer: B', 'B', 'answer-field'],
  [
    'English sentence',
    'After weighing each option, the answer is (C) because it fits.',
    'C',
    'answer-field',
  ],
  ['letter then option text', '答案：C 心率加快', 'C', 'answer-field'],
  ['letter then reason', '答案：C，因为代偿性心动过速出现最早。', 'C', 'answer-field'],
  ['line starting 答：', '答：B', 'B', 'answer-field'],
  [
    'chain of thought revises itself: the last explicit answer wins',
    '让我们一步一步思考。初步判断答案：A。\n等等，重新考虑：出血量不是临床表现。\n最终答案：C',
    'C',
    'answer-field',
  ],
  [
    'English CoT revision',
    'Answer: A\nWait, that is wrong. Reconsidering the physiology...\nFinal answer: D',
    'D',
    'answer-field',
  ],
  [
    'a later marker without letters does not hide an earlier answer',
    '答案：B\n解释：正确答案是什么？要看血压下降是否先于其他表现。',
    'B',
    'answer-field',
  ],
  [
    'explanation mentions other options after the field',
    '答案：D\n解释：A项错误，B项正确的说法应是……选项C也不对。',
    'D',
    'answer-field',
  ],
  ['field beats a conclusion elsewhere', '故选A。\n答案：B', 'B', 'answer-field'],
  ['答案选', '答案选B', 'B', 'answer-field'],
  ['答案：选B', '答案：选B', 'B', 'answer-field'],
  ['答案是：', '答案是：B', 'B', 'answer-field'],
  ['Markdown heading', '### 答案\nC\n\n### 解释\n……', 'C', 'answer-field'],
  [
    'English letter then reason',
    'Answer: A because the bleeding comes first.',
    'A',
    'answer-field',
  ],
  ['a comma starts a clause about another option', '答案：A，C项错误', 'A', 'answer-field'],
  ['all five', '答案：A、B、C、D、E', 'ABCDE', 'answer-field'],
  [
    'long Chinese chain of thought',
    '让我们一步一步分析。失血性休克早期，机体通过交感神经兴奋进行代偿：' +
      '\n1. 心率加快出现最早；\n2. 血压在代偿期可维持正常；\n3. 尿量减少稍晚出现。' +
      '\nA项：出血量是病因而非表现。\n综上，本题答案为C。',
    'C',
    'answer-field',
  ],
  [
    'multi-answer chain of thought',
    '分析：A项正确，B项错误，C项错误，D项正确。\n答案：AD\n解释：……',
    'AD',
    'answer-field',
  ],
  [
    'English chain of thought with a DNA mention',
    "Let's think step by step. DNA damage is irrelevant here; HbA1c too.\n" +
      'The earliest compensatory sign is tachycardia.\nTherefore, the answer is C.',
    'C',
    'answer-field',
  ],
  // Layer 2: Chinese conclusions.
  ['故选', '失血早期机体代偿，心率首先加快，故选C。', 'C', 'conclusion'],
  ['故选：', '综上，故选：B', 'B', 'conclusion'],
  ['因此选', '因此选C', 'C', 'conclusion'],
  ['因此，选', '因此，选 D。', 'D', 'conclusion'],
  ['应选', '本题应选E。', 'E', 'conclusion'],
  ['所以应选', '所以应选A和D', 'AD', 'conclusion'],
  ['本题选', '本题选A', 'A', 'conclusion'],
  ['选项X正确', '逐项分析：选项A错误，选项B正确。', 'B', 'conclusion'],
  ['X项正确', 'A项错误，C项错误，B项正确', 'B', 'conclusion'],
  ['multi X、Y项均正确', 'A、C项均正确', 'AC', 'conclusion'],
  ['正确选项是', '正确选项是D', 'D', 'conclusion'],
  ['English choose', 'Considering everything, I choose B.', 'B', 'conclusion'],
  ['Option X is correct', 'Option C is correct.', 'C', 'conclusion'],
  ['last conclusion wins', '乍看应选A，但细想不对，因此选D。', 'D', 'conclusion'],
  ['不应选 is not a conclusion', '不应选A，因为出血量并非表现；故选B。', 'B', 'conclusion'],
  ['我选择', '我选择C', 'C', 'conclusion'],
  ['X选项正确', '根据题意，E选项正确', 'E', 'conclusion'],
  // Layer 3: only letters.
  ['bare letter', 'B', 'B', 'letters-only'],
  ['letter and 。', 'B。', 'B', 'letters-only'],
  ['letter in parentheses', '(C)', 'C', 'letters-only'],
  ['full-width parentheses', '（Ｃ）', 'C', 'letters-only'],
  ['letters with 、', 'A、D', 'AD', 'letters-only'],
  ['run of letters', 'ACE', 'ACE', 'letters-only'],
  ['选C', '选C', 'C', 'letters-only'],
  ['surrounding whitespace', '  \n D \n', 'D', 'letters-only'],
  // Layer 4: a leading letter.
  ['leading letter with dot', 'C. 心率加快', 'C', 'leading-letter'],
  ['leading letter with space', 'C 心率加快', 'C', 'leading-letter'],
  ['leading letter with 、', 'B、血压下降，由于有效循环血量减少。', 'B', 'leading-letter'],
  ['leading letter then newline', 'D\n尿量减少提示肾灌注不足。', 'D', 'leading-letter'],
  ['leading letters then Chinese', 'A、D 都对', 'AD', 'leading-letter'],
  ['leading (C)', '(C) 心率加快是最早的代偿表现', 'C', 'leading-letter'],
  // Layer 5: option text.
  ['option text in the field', '答案：心率加快', 'C', 'option-text'],
  ['option text alone', '尿量减少。', 'D', 'option-text'],
  ['option text with punctuation and spaces', '答案：中心 静脉压-升高', 'E', 'option-text'],
  ['field wins over a discussion', '答案：血压下降\n解释：与心率加快不同，……', 'B', 'option-text'],
  ['option text as an English reply', 'I think it is 出血量.', 'A', 'option-text'],
];

const parsedTexts: Row[] = [
  ['longer text containing a shorter option', '答案：病毒性肝炎', 'B', 'option-text'],
  ['distinct option text', '我认为是胆囊结石引起的', 'D', 'option-text'],
  ['B超 is not option B', 'B超检查显示胆囊结石', 'D', 'option-text'],
];

const unparsed: [name: string, text: string, question?: Q][] = [
  ['empty', ''],
  ['whitespace', '  \n '],
  ['DNA', 'DNA'],
  ['ATP', 'ATP'],
  ['HbA1c', 'HbA1c'],
  ['CD4', 'CD4'],
  ['B超', 'B超'],
  ['A型血', 'A型血'],
  ['E. coli mid-sentence', '最常见的致病菌是E. coli，其次是克雷伯菌。'],
  ['E. coli at the start', 'E. coli 是最常见的病原体'],
  ["Let's think step by step", "Let's think step by step."],
  ['A patient presents with', 'A patient presents with chest pain and dyspnea.'],
  ['I cannot answer', 'I cannot answer this question.'],
  ['选项中没有正确答案', '选项中没有正确答案'],
  ['refusal', '抱歉，作为AI助手，我无法提供医疗建议。'],
  ['answer field with nothing', '答案：'],
  ['answer field with nothing, then explanation', '答案：\n解释：题目信息不足。'],
  ['letter not among the options', '答案：E', FOUR],
  ['letters-only, not an option', 'E', FOUR],
  ['conclusion, not an option', '故选E', FOUR],
  ['multi with one non-option', '答案：A、E', FOUR],
  ['维生素B缺乏', '可能是维生素B缺乏导致的。'],
  ['乙型肝炎(HBV)', '考虑乙型肝炎(HBV)感染。'],
  ['答案 then a word: DNA', '答案：DNA复制'],
  ['答案 then B超', '答案：B超'],
  ['答案 then A型', '答案：A型血'],
  ['答案 then CD4', '答案：CD4+T细胞'],
  ['答案 then C-反应蛋白', '答案：C-反应蛋白'],
  ['答案 then E. coli', '答案：E. coli'],
  ['答案 then ACE抑制剂', '答案：ACE抑制剂'],
  ['B族维生素', 'B族维生素缺乏'],
  ['T细胞', 'T细胞介导'],
  ['answer is a lowercase word', 'The answer is a combination of factors.'],
  ['答案不是', '答案不是A'],
  ['two options by text', '出血量和血压下降都会出现'],
  ['lower-case letter', 'b'],
  ['letter in prose only', '这个病人可能有B型和C型两种表现'],
  ['one-character option text', '肝', TEXTS],
  ['option text inside another option', '答案：肝炎', TEXTS],
  ['a hedge between letters', '答案：A或C'],
  ['an English hedge', 'The answer is A or C.'],
  ['an echo of the option list', 'A. 出血量\nB. 血压下降\nC. 心率加快\nD. 尿量减少'],
  ['a heading with no letter', '### 答案\n需要更多信息'],
];

describe('extractAnswer, layered rule', () => {
  it.each(parsed)('%s', (_name, text, answer, rule) => {
    expect(extractAnswer(text, FIVE)).toEqual({ status: 'parsed', answer, rule });
  });

  it.each(parsedTexts)('%s', (_name, text, answer, rule) => {
    expect(extractAnswer(text, TEXTS)).toEqual({ status: 'parsed', answer, rule });
  });

  it.each(unparsed)('unparsed: %s', (_name, text, question = FIVE) => {
    expect(extractAnswer(text, question)).toEqual({ status: 'unparsed', answer: '', rule: null });
  });

  it('is the default rule', () => {
    expect(extractAnswer('故选B', FIVE, 'layered')).toEqual(extractAnswer('故选B', FIVE));
  });

  it('keeps only letters that are the question’s own keys, even when E is valid elsewhere', () => {
    expect(extractAnswer('答案：D', FOUR)).toMatchObject({ status: 'parsed', answer: 'D' });
    expect(extractAnswer('答案：E', FIVE)).toMatchObject({ status: 'parsed', answer: 'E' });
  });
});

// CMExam's rule: each row is [name, text, CMExam's answer, the layered answer] ('' = unparsed).
const cmexamRows: [name: string, text: string, cmexam: string, layered: string, q?: Q][] = [
  ['CMExam format: the first line', '答案：A\n解释：B超提示……', 'A', 'A'],
  ['answer and explanation on one line', '答案：A，解释：B超提示肝大', 'AB', 'A'],
  ['no 解释: the whole output is searched', '答案：C\n因为心率加快最早出现，A项错误', 'AC', 'C'],
  ['a revision is read as both answers', '答案：A\n再想想，最终答案：C', 'AC', 'C'],
  ['any capital counts: DNA', 'DNA', 'AD', ''],
  ['any capital counts: English prose', 'A patient presents with chest pain.', 'A', ''],
  ['full-width letters are not letters', '答案：Ｂ', '', 'B'],
  ['lower case is not a letter', '答案：b', '', ''],
  ['a blank first line hides the answer', '\n答案：B\n解释：……', '', 'B'],
  ['解释 anywhere restricts to line one', '我来解释一下。\n答案：D', '', 'D'],
  ['option text counts too', '我认为是心率加快', 'C', 'C'],
  ['option text and letters add up', '答案：A 心率加快', 'AC', 'A'],
  ['no letter, no option text', '我不知道', '', ''],
  ['a letter that is not an option is ignored', '答案：E', '', '', FOUR],
  ['empty output', '', '', ''],
  ['pandas reads NA as missing', 'NA', '', ''],
];

describe('extractAnswer, CMExam rule (evaluate_lora_result.py, parse_options)', () => {
  it.each(cmexamRows)('%s', (_name, text, cmexam, layered, q = FIVE) => {
    const official = extractAnswer(text, q, 'cmexam');
    expect(official).toEqual(
      cmexam
        ? { status: 'parsed', answer: cmexam, rule: 'cmexam' }
        : { status: 'unparsed', answer: '', rule: null },
    );
    expect(extractAnswer(text, q, 'layered').answer).toBe(layered);
  });

  it.each([
    ['first word of a spaced option text', '应输注0.9%生理盐水', 'A'],
    ['the rest of the option text is not needed', '答案：5% 溶液', 'B'],
    ['letters in option order, sorted', '答案：E全血或A', 'AE'],
  ])('%s', (_name, text, answer) => {
    expect(cmexamAnswer(text, SPACED.options)).toEqual({ answer, rule: 'cmexam' });
  });

  it('treats an empty option text as having no content word', () => {
    expect(cmexamAnswer('答案：B', options(['', '阿托品']).options)).toEqual({
      answer: 'B',
      rule: 'cmexam',
    });
  });
});

describe('extractExplanation', () => {
  it.each([
    ['after 解释：', '答案：A\n解释：失血早期心率加快。', '失血早期心率加快。'],
    ['after 解释: half-width', '答案: B 血压下降. \n 解释: 因为血容量减少。 ', '因为血容量减少。'],
    ['after 解析：', '答案：C\n解析：代偿机制。', '代偿机制。'],
    ['after 【解析】', '【答案】C\n【解析】代偿机制。', '代偿机制。'],
    ['after Explanation:', 'Answer: D\nExplanation: renal hypoperfusion.', 'renal hypoperfusion.'],
    ['same line', '答案：A，解释：出血量增加。', '出血量增加。'],
    ['multi-line explanation', '答案：A\n解释：第一，……\n第二，……', '第一，……\n第二，……'],
    ['stops at a restated answer', '解释：失血后心率先加快。\n答案：C', '失血后心率先加快。'],
    [
      'the lines after the answer line',
      '答案：C\n心率加快是最早的代偿表现。',
      '心率加快是最早的代偿表现。',
    ],
    [
      'the lines before a final answer line',
      '逐项分析……\n因此心率最先变化。\n答案：C',
      '逐项分析……\n因此心率最先变化。',
    ],
    ['the rest of a lone answer line', '答案：A，因为出血量增加最明显。', '因为出血量增加最明显。'],
    ['a lone answer has none', '答案：B', ''],
    [
      'free text is all explanation',
      '  失血性休克早期以心率加快为主。 ',
      '失血性休克早期以心率加快为主。',
    ],
    ['empty', '', ''],
  ])('%s', (_name, text, explanation) => {
    expect(extractExplanation(text)).toBe(explanation);
  });
});

describe('cmexamExplanation (parse_explanations)', () => {
  it.each([
    ['between the first and second 解释:', '答案: A\n解释: 第一段 解释:第二段', '第一段'],
    [
      'full-width colon is not the marker: the whole output',
      '答案：A\n解释：原因',
      '答案：A\n解释：原因',
    ],
    ['missing output is the literal 无答案', '', '无答案'],
  ])('%s', (_name, text, explanation) => {
    expect(cmexamExplanation(text)).toBe(explanation);
  });
});
