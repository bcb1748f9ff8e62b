// Merge methods by name: a new method is a new module registered here.

import { dareLinear, dareTies } from './dare';
import { linear } from './linear';
import { slerp } from './slerp';
import { taskArithmetic } from './task-arithmetic';
import { ties } from './ties';
import { MERGE_METHOD_NAMES, type MergeMethod, type MergeMethodName } from './types';

export const MERGE_METHODS: Readonly<Record<MergeMethodName, MergeMethod>> = {
  linear,
  'task-arithmetic': taskArithmetic,
  ties,
  'dare-linear': dareLinear,
  'dare-ties': dareTies,
  slerp,
};

export function isMergeMethodName(name: string): name is MergeMethodName {
  return (MERGE_METHOD_NAMES as readonly string[]).includes(name);
}

export function mergeMethod(name: MergeMethodName): MergeMethod {
  return MERGE_METHODS[name];
}
