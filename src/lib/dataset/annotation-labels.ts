/**
 * English labels for the five question-wise annotation columns of CMExam's test split
 * (`data/test_with_annotations.csv`, github.com/williamliujl/CMExam).
 *
 * Value strings come from CMExam's own statistics notebook (`src/preprocess/data stats.ipynb`),
 * which maps every annotation value it plots; where a value was not confirmed there, the source
 * is named beside it. Plain data: no I/O, nothing stateful beyond lookup indexes built once.
 */

export type AnnotationKey =
  | 'Disease Group'
  | 'Area of Competency'
  | 'Clinical Department'
  | 'Medical Discipline'
  | 'Difficulty level';

/** The annotation headers of `test_with_annotations.csv`, in file order. */
export const ANNOTATION_COLUMNS: readonly AnnotationKey[] = [
  'Disease Group',
  'Area of Competency',
  'Clinical Department',
  'Medical Discipline',
  'Difficulty level',
];

export const ANNOTATION_NAMES: Record<AnnotationKey, { en: string; zh: string }> = {
  'Disease Group': { en: 'Disease group', zh: '疾病分组' },
  'Area of Competency': { en: 'Area of competency', zh: '能力领域' },
  'Clinical Department': { en: 'Clinical department', zh: '临床科室' },
  'Medical Discipline': { en: 'Medical discipline', zh: '医学学科' },
  'Difficulty level': { en: 'Difficulty', zh: '难度' },
};

/** CMExam's "not applicable" marker; it can appear in every annotation column. */
export const NOT_APPLICABLE = '不符合';
const NOT_APPLICABLE_EN = 'Not applicable';

/**
 * Disease groups: ICD-11 MMS chapters. Chinese keys exactly as in the notebook's `code_mapping`
 * (they are the official Chinese ICD-11 chapter titles, except chapter 26, which CMExam writes
 * with the 补充章 prefix). English: the official WHO ICD-11 MMS chapter titles.
 */
export const DISEASE_GROUP_LABELS = {
  某些感染性疾病或寄生虫病: 'Certain infectious or parasitic diseases',
  肿瘤: 'Neoplasms',
  血液或造血器官疾病: 'Diseases of the blood or blood-forming organs',
  免疫系统疾病: 'Diseases of the immune system',
  '内分泌、营养或代谢疾病': 'Endocrine, nutritional or metabolic diseases',
  '精神、行为或神经发育障碍': 'Mental, behavioural or neurodevelopmental disorders',
  '睡眠-觉醒障碍': 'Sleep-wake disorders',
  神经系统疾病: 'Diseases of the nervous system',
  视觉系统疾病: 'Diseases of the visual system',
  耳或乳突疾病: 'Diseases of the ear or mastoid process',
  循环系统疾病: 'Diseases of the circulatory system',
  呼吸系统疾病: 'Diseases of the respiratory system',
  消化系统疾病: 'Diseases of the digestive system',
  皮肤疾病: 'Diseases of the skin',
  肌肉骨骼系统或结缔组织疾病: 'Diseases of the musculoskeletal system or connective tissue',
  泌尿生殖系统疾病: 'Diseases of the genitourinary system',
  性健康相关情况: 'Conditions related to sexual health',
  '妊娠、分娩或产褥期': 'Pregnancy, childbirth or the puerperium',
  起源于围生期的某些情况: 'Certain conditions originating in the perinatal period',
  发育异常: 'Developmental anomalies',
  '症状、体征或临床所见，不可归类在他处者':
    'Symptoms, signs or clinical findings, not elsewhere classified',
  '损伤、中毒或外因的某些其他后果':
    'Injury, poisoning or certain other consequences of external causes',
  疾病或死亡的外因: 'External causes of morbidity or mortality',
  影响健康状态或与保健机构接触的因素:
    'Factors influencing health status or contact with health services',
  用于特殊目的的编码: 'Codes for special purposes',
  '补充章传统医学病证-模块1': 'Supplementary Chapter Traditional Medicine Conditions - Module I',
  功能评定补充部分: 'Supplementary section for functioning assessment',
  扩展码: 'Extension Codes',
} as const satisfies Record<string, string>;

/** Other spellings seen for the same chapters (assumed, not confirmed in CMExam's files). */
const DISEASE_GROUP_ALIASES: Readonly<Record<string, keyof typeof DISEASE_GROUP_LABELS>> = {
  // Official Chinese ICD-11 title of chapter 26, without CMExam's 补充章 prefix.
  '传统医学病证-模块1': '补充章传统医学病证-模块1',
  '补充章节传统医学病证-模块1': '补充章传统医学病证-模块1',
  '传统医学病证-模块I': '补充章传统医学病证-模块1',
  '补充章传统医学病证-模块I': '补充章传统医学病证-模块1',
  // 围产期 is the common synonym of 围生期.
  起源于围产期的某些情况: '起源于围生期的某些情况',
};

/** Areas of competency: the notebook's `Competency` (`Ability`) mapping. */
export const COMPETENCY_LABELS = {
  医学基础知识: 'Medical fundamentals',
  疾病诊断和鉴别诊断: 'Diagnosis',
  疾病治疗: 'Treatment',
  公卫法律伦理: 'Public health, law & ethics',
} as const satisfies Record<string, string>;

/** Medical disciplines: the notebook's `Discipline` (`一级标签`) mapping. */
export const DISCIPLINE_LABELS = {
  临床医学: 'Clinical medicine',
  口腔医学: 'Dentistry',
  公卫预防: 'Public health & preventive medicine',
  中医学: 'TCM',
  中西医结合: 'Integrated Chinese & Western medicine',
  中药学: 'TCM pharmacy',
  药学: 'Pharmacy',
} as const satisfies Record<string, string>;

/**
 * Clinical departments: first-level subjects of China's Directory of Medical Institution
 * Diagnostic and Therapeutic Categories (医疗机构诊疗科目名录), spelled as in the notebook's
 * `Clinical department` (`Subject`) mapping. English follows the notebook's comments, shortened.
 */
export const DEPARTMENT_LABELS = {
  预防保健科: 'Preventive health care',
  全科医疗: 'General practice',
  内科: 'Internal medicine',
  外科: 'Surgery',
  妇产科: 'Obstetrics & gynecology',
  妇女保健: "Women's health care",
  儿科: 'Pediatrics',
  儿童外科: 'Pediatric surgery',
  儿童保健科: 'Child health care',
  眼科: 'Ophthalmology',
  耳鼻咽喉科: 'Otolaryngology (ENT)',
  口腔科: 'Dentistry',
  皮肤科: 'Dermatology',
  精神科: 'Psychiatry',
  传染科: 'Infectious diseases',
  肿瘤科: 'Oncology',
  急诊医学科: 'Emergency medicine',
  中医科: 'TCM',
  结核病科: 'Tuberculosis',
  疼痛科: 'Pain medicine',
  医疗美容科: 'Aesthetic medicine',
  地方病科: 'Endemic diseases',
  康复医学科: 'Rehabilitation medicine',
  理疗科: 'Physical therapy',
  运动医学科: 'Sports medicine',
  职业病科: 'Occupational medicine',
  特种医学与军事医学科: 'Special & military medicine',
  临终关怀科: 'Palliative care',
  临床营养科: 'Clinical nutrition',
  中西医结合科: 'Integrated Chinese & Western medicine',
  民族医学科: 'Ethnic medicine',
  麻醉科: 'Anesthesiology',
  医学检验科: 'Laboratory medicine',
  病理科: 'Pathology',
  医学影像科: 'Medical imaging',
  重症医学科: 'Critical care medicine',
  // Not in CMExam's mapping: common second-level names, so other exports still get a label.
  神经内科: 'Neurology',
  心血管内科: 'Cardiology',
  呼吸内科: 'Respiratory medicine',
  消化内科: 'Gastroenterology',
  神经外科: 'Neurosurgery',
  骨科: 'Orthopedics',
} as const satisfies Record<string, string>;

/** Everyday names for the same departments (assumed; the official names are the keys above). */
const DEPARTMENT_ALIASES: Readonly<Record<string, keyof typeof DEPARTMENT_LABELS>> = {
  全科医疗科: '全科医疗',
  全科医学科: '全科医疗',
  妇女保健科: '妇女保健',
  小儿外科: '儿童外科',
  耳鼻喉科: '耳鼻咽喉科',
  口腔医学科: '口腔科',
  精神心理科: '精神科',
  精神卫生科: '精神科',
  心理科: '精神科',
  感染科: '传染科',
  感染性疾病科: '传染科',
  急诊科: '急诊医学科',
  康复科: '康复医学科',
  营养科: '临床营养科',
  检验科: '医学检验科',
  影像科: '医学影像科',
  放射科: '医学影像科',
  重症监护科: '重症医学科',
  预防保健: '预防保健科',
};

/** Difficulty 1 (easiest) to 5 (hardest): the notebook bins examinee accuracy into 5 levels. */
const DIFFICULTY_LEVELS: readonly string[] = ['1', '2', '3', '4', '5'];

/**
 * Header names accepted for each column, lower-cased. Besides the released headers, the names
 * CMExam's notebook reads from its working files (ICD-11, Subject, 一级标签, Ability).
 */
const COLUMN_BY_NAME: ReadonlyMap<string, AnnotationKey> = new Map<string, AnnotationKey>([
  ...ANNOTATION_COLUMNS.map((c): [string, AnnotationKey] => [c.toLowerCase(), c]),
  ['icd-11', 'Disease Group'],
  ['ability', 'Area of Competency'],
  ['competency', 'Area of Competency'],
  ['subject', 'Clinical Department'],
  ['一级标签', 'Medical Discipline'],
  ['discipline', 'Medical Discipline'],
]);

/**
 * Lookup key that ignores spacing, punctuation (、，, - — : and brackets, full- or half-width)
 * and the 和/或 difference between ICD-10-style and ICD-11-style titles.
 */
function looseKey(value: string): string {
  return value
    .normalize('NFKC')
    .replace(/[\s、，,。.·・\-‐‑‒–—―_：:;；()（）[\]【】]/g, '')
    .replace(/和/g, '或');
}

function buildIndex(
  labels: Readonly<Record<string, string>>,
  aliases: Readonly<Record<string, string>>,
): ReadonlyMap<string, string> {
  const index = new Map<string, string>();
  for (const [zh, en] of Object.entries(labels)) index.set(looseKey(zh), en);
  for (const [alias, zh] of Object.entries(aliases)) {
    const en = labels[zh];
    if (en !== undefined && !index.has(looseKey(alias))) index.set(looseKey(alias), en);
  }
  return index;
}

type TextColumn = Exclude<AnnotationKey, 'Difficulty level'>;

const INDEXES: Record<TextColumn, ReadonlyMap<string, string>> = {
  'Disease Group': buildIndex(DISEASE_GROUP_LABELS, DISEASE_GROUP_ALIASES),
  'Area of Competency': buildIndex(COMPETENCY_LABELS, {}),
  'Clinical Department': buildIndex(DEPARTMENT_LABELS, DEPARTMENT_ALIASES),
  'Medical Discipline': buildIndex(DISCIPLINE_LABELS, {}),
};

/** `'1.0'` → `'1'`, `' 3 '` → `'3'`; any other string comes back trimmed, otherwise unchanged. */
export function normalizeDifficulty(value: string): string {
  const trimmed = value.trim();
  const match = /^(\d+)\.0+$/.exec(trimmed);
  return match?.[1] ?? trimmed;
}

/**
 * English label for a Chinese annotation value, or undefined when the column or value is unknown.
 * Columns are matched ignoring case; values ignoring surrounding whitespace.
 */
export function englishLabel(column: string, value: string): string | undefined {
  const key = COLUMN_BY_NAME.get(column.trim().toLowerCase());
  if (key === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (trimmed === NOT_APPLICABLE) return NOT_APPLICABLE_EN;
  if (key === 'Difficulty level') {
    const level = normalizeDifficulty(trimmed);
    return DIFFICULTY_LEVELS.includes(level) ? `Level ${level}` : undefined;
  }
  return INDEXES[key].get(looseKey(trimmed));
}
