"""A few-step run of the whole pipeline on tiny synthetic data: tokenizer, tokens, training of
both variants, export, and evaluation. Needs PyTorch and onnx (Debian: python3-torch,
python3-onnx); run with /usr/bin/python3 -m unittest discover -s models/training."""

import json
import os
import random
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import tokenizer as bpe  # noqa: E402

VOCABULARY = {
    "legal": "tenant landlord lease agreement shall pursuant clause party court statute liability",
    "medical": "patient symptoms diagnosis blood pressure treatment dose clinic history chronic pain",
    "code": "def return if else for while import class self None True",
    "general": "the morning walk garden letter friend evening village river summer book",
}
HARD_TEXT = "Caf\u00e9 e\u0301 \U0001F469\u200d\U0001F4BB\r\n\tx  = 12345678 \x00\x07 <|endoftext|> \u05e9\u05dc\u05d5\u05dd " + "a" * 70


def synthetic_documents(domain, count, rng):
    words = VOCABULARY[domain].split()
    documents = []
    for _ in range(count):
        sentences = [" ".join(rng.choice(words) for _ in range(rng.randint(5, 12))).capitalize() + "."
                     for _ in range(rng.randint(20, 30))]
        documents.append(" ".join(sentences))
    return documents


class TokenizerTest(unittest.TestCase):
    def test_round_trip_hard_text(self):
        trained = bpe.train(["the theme of the thesis " * 50, HARD_TEXT], 300)
        self.assertEqual(trained.decode(trained.encode(HARD_TEXT)), HARD_TEXT)

    def test_special_token_text_is_ordinary_bytes(self):
        trained = bpe.train(["hello world " * 20], 280)
        ids = trained.encode("<|endoftext|>")
        self.assertNotIn(trained.end_of_text, ids)

    def test_pretokenizer_chunks_join_to_input(self):
        self.assertEqual("".join(bpe.pretokenize(HARD_TEXT)), HARD_TEXT)
        self.assertEqual(bpe.pretokenize("a  b"), ["a", " ", " b"])
        self.assertEqual(bpe.pretokenize("x = 12345"), ["x", " =", " 123", "45"])


class PipelineSmokeTest(unittest.TestCase):
    def test_few_steps_end_to_end(self):
        rng = random.Random(3)
        with tempfile.TemporaryDirectory() as root:
            work, out = os.path.join(root, "work"), os.path.join(root, "model")
            corpus = os.path.join(work, "corpus")
            os.makedirs(corpus)
            for domain in VOCABULARY:
                for split, count in (("train", 12), ("val", 4)):
                    with open(os.path.join(corpus, f"{domain}.{split}.txt"), "w", encoding="utf-8") as handle:
                        handle.write("\n\f\n".join(synthetic_documents(domain, count, rng)))
            with open(os.path.join(corpus, "sources.json"), "w", encoding="utf-8") as handle:
                json.dump([], handle)

            command = [sys.executable, os.path.join(HERE, "pipeline.py"), "--work", work, "--out", out,
                       "--stages", "tokenizer,tokens,train,export,evaluate", "--vocab-size", "400",
                       "--steps", "4", "--snapshot-every", "2", "--batch-size", "4", "--model-dim", "32",
                       "--layers", "2", "--heads", "2", "--expert-hidden", "32", "--context", "32", "--device", "cpu"]
            completed = subprocess.run(command, capture_output=True, text=True, timeout=900)
            self.assertEqual(completed.returncode, 0, completed.stdout[-3000:] + completed.stderr[-3000:])

            for name in ("model.onnx", "baseline-dense.onnx", "manifest.json", "tokenizer.json", "reference.json",
                     "impact.json", "results.json", "MODEL.md"):
                self.assertTrue(os.path.exists(os.path.join(out, name)), f"{name} missing from {out}")
            with open(os.path.join(out, "manifest.json"), encoding="utf-8") as handle:
                manifest = json.load(handle)
            self.assertEqual(len(manifest["experts"]), 2 * 8)
            self.assertEqual(manifest["architecture"]["vocabSize"], 400)
            with open(os.path.join(out, "results.json"), encoding="utf-8") as handle:
                results = json.load(handle)
            self.assertEqual(set(results["language"]), set(VOCABULARY))


if __name__ == "__main__":
    unittest.main()
