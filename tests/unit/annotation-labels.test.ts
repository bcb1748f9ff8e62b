import { describe, it, expect } from 'vitest';
import {
  ANNOTATION_COLUMNS,
  ANNOTATION_NAMES,
  COMPETENCY_LABELS,
  DEPARTMENT_LABELS,
  DISCIPLINE_LABELS,
  DISEASE_GROUP_LABELS,
  englishLabel,
  normalizeDifficulty,
} from '../../src/lib/dataset/annotation-labels';

describe('annotation columns', () => {
  it('lists the five CMExam annotation headers in file order', () => {
    expect(ANNOTATION_COLUMNS).toEqual([
      'Disease Group',
      'Area of Competency',
      'Clinical Department',
      'Medical Discipline',
      'Difficulty level',
    ]);
  });

  it('names every column in English and Chinese', () => {
    for (const column of ANNOTATION_COLUMNS) {
      expect(ANNOTATION_NAMES[column].en).not.toBe('');
      expect(ANNOTATION_NAMES[column].zh).not.toBe('');
    }
    expect(ANNOTATION_NAMES['Disease Group'].zh).toBe('疾病分组');
    expect(ANNOTATION_NAMES['Difficulty level'].zh).toBe('难度');
  });
});

describe('englishLabel', () => {
  it('labels each area of competency', () => {
    const c = 'Area of Competency';
    expect(englishLabel(c, '医学基础知识')).toBe('Medical fundamentals');
    expect(englishLabel(c, '疾病诊断和鉴别诊断')).toBe('Diagnosis');
    expect(englishLabel(c, '疾病治疗')).toBe('Treatment');
    expect(englishLabel(c, '公卫法律伦理')).toBe('Public health, law & ethics');
  });

  it('labels each medical discipline', () => {
    const c = 'Medical Discipline';
    expect(englishLabel(c, '临床医学')).toBe('Clinical medicine');
    expect(englishLabel(c, '口腔医学')).toBe('Dentistry');
    expect(englishLabel(c, '公卫预防')).toBe('Public health & preventive medicine');
    expect(englishLabel(c, '中医学')).toBe('TCM');
    expect(englishLabel(c, '中西医结合')).toBe('Integrated Chinese & Western medicine');
    expect(englishLabel(c, '中药学')).toBe('TCM pharmacy');
    expect(englishLabel(c, '药学')).toBe('Pharmacy');
  });

  it('uses the official ICD-11 chapter titles for disease groups', () => {
    const c = 'Disease Group';
    expect(englishLabel(c, '某些感染性疾病或寄生虫病')).toBe(
      'Certain infectious or parasitic diseases',
    );
    expect(englishLabel(c, '肿瘤')).toBe('Neoplasms');
    expect(englishLabel(c, '循环系统疾病')).toBe('Diseases of the circulatory system');
    expect(englishLabel(c, '妊娠、分娩或产褥期')).toBe('Pregnancy, childbirth or the puerperium');
    expect(englishLabel(c, '症状、体征或临床所见，不可归类在他处者')).toBe(
      'Symptoms, signs or clinical findings, not elsewhere classified',
    );
    expect(englishLabel(c, '补充章传统医学病证-模块1')).toBe(
      'Supplementary Chapter Traditional Medicine Conditions - Module I',
    );
  });

  it('matches disease-group spellings that differ only in punctuation or 和/或', () => {
    const c = 'Disease Group';
    expect(englishLabel(c, '内分泌营养或代谢疾病')).toBe(
      'Endocrine, nutritional or metabolic diseases',
    );
    expect(englishLabel(c, '内分泌、营养和代谢疾病')).toBe(
      'Endocrine, nutritional or metabolic diseases',
    );
    expect(englishLabel(c, '症状、体征或临床所见,不可归类在他处者')).toBe(
      'Symptoms, signs or clinical findings, not elsewhere classified',
    );
    expect(englishLabel(c, '睡眠觉醒障碍')).toBe('Sleep-wake disorders');
    expect(englishLabel(c, '传统医学病证-模块1')).toBe(
      'Supplementary Chapter Traditional Medicine Conditions - Module I',
    );
  });

  it('labels clinical departments, including everyday aliases', () => {
    const c = 'Clinical Department';
    expect(englishLabel(c, '内科')).toBe('Internal medicine');
    expect(englishLabel(c, '外科')).toBe('Surgery');
    expect(englishLabel(c, '妇产科')).toBe('Obstetrics & gynecology');
    expect(englishLabel(c, '儿科')).toBe('Pediatrics');
    expect(englishLabel(c, '中医科')).toBe('TCM');
    expect(englishLabel(c, '耳鼻咽喉科')).toBe(englishLabel(c, '耳鼻喉科'));
    expect(englishLabel(c, '感染科')).toBe('Infectious diseases');
  });

  it('gives every known value its own label (no lookup collisions)', () => {
    const tables = [
      ['Disease Group', DISEASE_GROUP_LABELS],
      ['Area of Competency', COMPETENCY_LABELS],
      ['Clinical Department', DEPARTMENT_LABELS],
      ['Medical Discipline', DISCIPLINE_LABELS],
    ] as const;
    for (const [column, labels] of tables) {
      for (const [zh, en] of Object.entries(labels)) {
        expect(englishLabel(column, zh), `${column}: ${zh}`).toBe(en);
      }
    }
  });

  it('labels 不符合 as not applicable in every column', () => {
    for (const column of ANNOTATION_COLUMNS) {
      expect(englishLabel(column, '不符合')).toBe('Not applicable');
    }
  });

  it('labels difficulty levels, whole or written as floats', () => {
    expect(englishLabel('Difficulty level', '1')).toBe('Level 1');
    expect(englishLabel('Difficulty level', '1.0')).toBe('Level 1');
    expect(englishLabel('Difficulty level', '2.0')).toBe('Level 2');
    expect(englishLabel('Difficulty level', ' 5 ')).toBe('Level 5');
    expect(englishLabel('Difficulty level', '6')).toBeUndefined();
    expect(englishLabel('Difficulty level', '2.5')).toBeUndefined();
  });

  it('trims whitespace around values and column names', () => {
    expect(englishLabel('Area of Competency', '  疾病治疗\n')).toBe('Treatment');
    expect(englishLabel(' Medical Discipline ', '\t药学 ')).toBe('Pharmacy');
    expect(englishLabel('Disease Group', ' 不符合 ')).toBe('Not applicable');
    expect(englishLabel('clinical department', '眼科')).toBe('Ophthalmology');
  });

  it('returns undefined for unknown values and columns', () => {
    expect(englishLabel('Area of Competency', '不存在的能力')).toBeUndefined();
    expect(englishLabel('Medical Discipline', '内科')).toBeUndefined();
    expect(englishLabel('Disease Group', '')).toBeUndefined();
    expect(englishLabel('Disease Group', '   ')).toBeUndefined();
    expect(englishLabel('Clinical Department', 'constructor')).toBeUndefined();
    expect(englishLabel('Question', '不符合')).toBeUndefined();
  });
});

describe('normalizeDifficulty', () => {
  it('drops a zero fraction and surrounding spaces', () => {
    expect(normalizeDifficulty('1.0')).toBe('1');
    expect(normalizeDifficulty('4.00')).toBe('4');
    expect(normalizeDifficulty(' 3 ')).toBe('3');
    expect(normalizeDifficulty('2')).toBe('2');
  });

  it('returns other strings trimmed but otherwise unchanged', () => {
    expect(normalizeDifficulty(' 2.5 ')).toBe('2.5');
    expect(normalizeDifficulty('不符合')).toBe('不符合');
    expect(normalizeDifficulty('')).toBe('');
  });
});
