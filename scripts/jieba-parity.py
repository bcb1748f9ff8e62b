#!/usr/bin/env python3
"""Oracle for src/lib/scoring/jieba.ts: Python jieba 0.42, as CMExam's evaluate_gpt_result.py uses it.

Reads one JSON string per line from stdin and prints, one line each, the JSON list of
jieba.lcut(text, cut_all=False) (HMM on, the default).

Needs jieba 0.42.x: `apt-get install -y python3-jieba` (then run /usr/bin/python3) or
`pip install jieba==0.42.1`. Used by scripts/jieba-parity.ts.
"""
import json
import logging
import sys

import jieba

sys.stdin.reconfigure(encoding="utf-8", newline="\n")
sys.stdout.reconfigure(encoding="utf-8", newline="\n")
jieba.setLogLevel(logging.WARNING)
jieba.initialize()

if not jieba.__version__.startswith("0.42"):
    sys.exit("jieba 0.42.x expected, found " + jieba.__version__)

for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    # ASCII-escaped output survives any text, lone surrogates included.
    sys.stdout.write(json.dumps(jieba.lcut(json.loads(line), cut_all=False)) + "\n")
sys.stdout.flush()
