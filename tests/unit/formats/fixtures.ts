// Synthetic files in each benchmark's shape, written for these tests (no benchmark content).

export const CMB_QUESTIONS = [
  {
    exam_type: '医师考试',
    exam_class: '执业医师',
    exam_subject: '内科',
    question: '虚构题一：单选',
    answer: 'B',
    question_type: '单项选择题',
    option: { A: '甲', B: '乙', C: '丙', D: '丁', E: '' },
  },
  {
    exam_type: '医师考试',
    exam_class: '执业医师',
    exam_subject: '外科',
    question: '虚构题二：多选',
    answer: 'CA',
    question_type: '多项选择题',
    option: { A: '一', B: '二', C: '三', D: '四' },
    explanation: '虚构解释。',
  },
];

/** The test split: ids, no answers; the key ships apart with extra fields, as CMB's does. */
export const CMB_TEST = [
  {
    id: 1,
    exam_type: '护理考试',
    exam_class: '护士',
    exam_subject: '基础护理',
    question: '虚构测试题一',
    question_type: '单项选择题',
    option: { A: '甲', B: '乙', C: '丙' },
  },
  {
    id: 2,
    exam_type: '护理考试',
    exam_class: '护师',
    exam_subject: '内科护理',
    question: '虚构测试题二',
    question_type: '多项选择题',
    option: { A: '甲', B: '乙', C: '丙', D: '丁' },
  },
];
export const CMB_KEY = [
  {
    id: 1,
    exam_type: '护理考试',
    exam_class: '护士',
    exam_subject: '基础护理',
    question_type: '单项选择题',
    answer: 'C',
  },
  {
    id: 2,
    exam_type: '护理考试',
    exam_class: '护师',
    exam_subject: '内科护理',
    question_type: '多项选择题',
    answer: 'DB',
  },
];

export const MEDQA_LINES = [
  {
    question: '虚构病例一，应首选',
    options: { A: '甲药', B: '乙药', C: '丙药', D: '丁药', E: '戊药' },
    answer: '丙药',
    answer_idx: 'C',
    meta_info: '卷一',
  },
  // answer and answer_idx disagree: reported, not imported
  {
    question: '虚构病例二',
    options: { A: '甲', B: '乙', C: '丙', D: '丁', E: '戊' },
    answer: '甲',
    answer_idx: 'B',
    meta_info: '卷二',
  },
  {
    question: '虚构病例三',
    options: { A: '一', B: '二', C: '三', D: '四', E: '五' },
    answer: '五',
    answer_idx: 'E',
    meta_info: { unit: 2 },
  },
];

/** CMMLU: a leading unnamed index column, one file per subject. */
export const CMMLU_ANATOMY =
  ',Question,A,B,C,D,Answer\n0,虚构解剖题一,甲,乙,丙,丁,A\n1,"虚构解剖题二，含逗号",一,二,三,四,D\n';
export const CMMLU_VIROLOGY = ',Question,A,B,C,D,Answer\n0,虚构病毒题,甲,乙,丙,丁,B\n';

export const MLEC_ITEMS = [
  {
    qid: 'q1',
    qtype: 'A1型题',
    qtext: '虚构 MLEC 题一',
    options: { A: '甲', B: '乙', C: '丙', D: '丁', E: '戊' },
    answer: 'D',
  },
  {
    qid: 'q2',
    qtype: 'X型题',
    qtext: '虚构 MLEC 题二',
    options: { A: '甲', B: '乙', C: '丙', D: '丁', E: '戊' },
    answer: ['E', 'A'],
  },
];

export const HUATUO_LINES = [
  { questions: '虚构问题：头痛怎么办？', answers: '虚构回答：多休息。' },
  { questions: ['虚构问题第一句。', '第二句？'], answers: ['参考一', '参考二'] },
];

export const CMB_CLIN = [
  {
    id: 'c1',
    title: '虚构病例甲',
    description: '患者，男，虚构主诉。',
    QA_pairs: [
      { question: '初步诊断是什么？', solution: '虚构诊断。' },
      { question: '下一步检查？', solution: '虚构检查。' },
    ],
  },
  {
    id: 'c2',
    title: '虚构病例乙',
    description: '患者，女。',
    QA_pairs: [{ question: '治疗？', solution: '虚构治疗。' }],
  },
];

export const OPEN_JSONL = [
  { question: '虚构开放题一', answer: '参考答案一', source: '甲站' },
  { question: '虚构开放题二', reference: '参考答案二', context: '背景', source: '乙站' },
];

export const jsonl = (items: unknown[]) => items.map((i) => JSON.stringify(i)).join('\n') + '\n';
