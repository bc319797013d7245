"""Write tests/unit/data/wordpiece_reference.json: the reference tokenizer's ids for TEXTS.

The reference is transformers' slow (pure-Python) BERT tokenizer with do_lower_case=True on the
model's vocab.txt. test_wordpiece.py checks py/attention/wordpiece.py against the file, so the
check runs where transformers is not installed. Run it again when TEXTS change:

    .venv/bin/python tests/unit/make_wordpiece_reference.py
"""
import hashlib
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "data" / "wordpiece_reference.json"

# Each line exercises one thing the basic tokenizer or WordPiece does.
TEXTS = [
    "",
    " ",
    " \t\n\r ",
    "\u00a0\u3000\u2003",
    "The animal didn't cross the street because it was too tired.",
    "The animal didn't cross the street because it was too wide.",
    "The cat sat on the mat.",
    "Attention is all you need",
    "tokenization unaffable",
    "ELECTROENCEPHALOGRAPHY and antidisestablishmentarianism",
    "Supercalifragilisticexpialidocious!",
    "I've been there; you'd've liked it, wouldn't you?",
    "don\u2019t stop \u2018believing\u2019",
    "well-known, state-of-the-art, e-mail",
    "Wait... what?! No way!!!",
    "\u201cQuoted,\u201d she said \u2014 \u00abbien s\u00fbr\u00bb \u2026",
    "\u00bfQu\u00e9 tal? \u00a1Muy bien!",
    "$100 ^caret ~tilde |pipe `tick` @user #tag 50% a&b *star* _under_ \\back",
    "(parentheses) [brackets] {braces} <angle>",
    "a+b=c, x<y>z, 3*4/2",
    "email@example.com and https://example.org/path?q=1&r=2#frag",
    "caf\u00e9 na\u00efve Zo\u00eb r\u00e9sum\u00e9 fa\u00e7ade",
    "cafe\u0301 (decomposed) vs caf\u00e9 (composed)",
    "Cr\u00e8me br\u00fbl\u00e9e at the H\u00f4tel de Ville",
    "Dvo\u0159\u00e1k, \u0141\u00f3d\u017a, \u00c5ngstr\u00f6m, \u00d8resund",
    "Stra\u00dfe, STRASSE, \u1e9e",
    "\u0130stanbul and \u0131\u015f\u0131k",
    "\u039f\u0394\u039f\u03a3 \u03bf\u03b4\u03cc\u03c2 \u03a3",
    "\u1f08\u03b8\u03ae\u03bd\u03b1 \u1f41 \u03bb\u03cc\u03b3\u03bf\u03c2",
    "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440! \u0401\u043b\u043a\u0430",
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645\u060c "
    "\u0643\u064a\u0641 \u062d\u0627\u0644\u0643\u061f",
    "\u05e9\u05b8\u05c1\u05dc\u05d5\u05b9\u05dd \u05e2\u05d5\u05dc\u05dd",
    "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e",
    "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a",
    "\u4f60\u597d\uff0c\u4e16\u754c\uff01",
    "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3067\u3059\u3002",
    "\ud55c\uad6d\uc5b4 \ud14d\uc2a4\ud2b8",
    "mixed: hello\u4e16\u754cworld \u6f22\u5b57abc",
    "\uf900\uf901 compatibility ideographs",
    "\U00020000\U0002a6d6 extension B",
    "\u3400\u4dbf extension A",
    "\u30ab\u30bf\u30ab\u30ca \u3072\u3089\u304c\u306a \uff76\uff80\uff76\uff85",
    "\uff21\uff22\uff23 \uff11\uff12\uff13 fullwidth",
    "\ufb01nance \ufb02ow ligatures",
    "3.14 1,000,000 1e-9 -42 +7 0x1F",
    "\u00bd \u00b2 \u2460 \u216b \u0663\u0664 \u0968",
    "\u20ac5 \u00a3 \u00a5 \u20b9 \u00a2",
    "\u2211 \u222b \u2264 \u2260 \u221e \u00b1",
    "\u00a9 \u00ae \u2122 \u00b0C \u00a7 \u00b6",
    "\U0001f44d\U0001f3fd great \U0001f600",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467 family",
    "\U0001f1eb\U0001f1f7 flag \u2764\ufe0f heart 1\ufe0f\u20e3 keycap",
    "emoji\U0001f680rocket",
    "ctrl\x00nul\x07bell\x1b[31mred",
    "replacement\ufffdchar",
    "zero\u200bwidth soft\u00adhyphen bom\ufeff",
    "line\u2028separator paragraph\u2029separator",
    "tabs\tand\nnewlines\r\nhere\x0bvt\x0cff",
    "\x7f\x80\x85\x9f C1 controls",
    "combining only: \u0301\u0308",
    "a\u0300\u0301\u0302\u0303 stacked",
    "Hello [MASK] world",
    "a[MASK]b [CLS][SEP] [UNK] [PAD]",
    "[mask] [Mask] [[MASK]]",
    "[MA\x00SK] cleaned into a special token",
    "x [MAS\u212a] y",
    "x" * 100,
    "x" * 101,
    "\u00e9" * 101,
    "a" + "\u0301" * 150,
    "#hashtag ## ###",
    "C++ C# F# .NET node.js",
    "GPT-2, BERT-base-uncased, all-MiniLM-L6-v2",
    "O'Neill's mother-in-law's car",
    "U.S.A. vs. U.K., e.g. i.e. etc.",
    "2024-01-31T12:34:56Z",
    "+1 (555) 123-4567",
    "snake_case camelCase PascalCase kebab-case",
    "UPPER lower MiXeD",
    "qwxz zzzzzzzzzz jjjjjjj",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "pneumonoultramicroscopicsilicovolcanoconiosis",
    "The quick brown fox jumps over the lazy dog. " * 3,
    "It is what it is.",
    "The trophy didn't fit in the suitcase because it was too big.",
    "Colorless green ideas sleep furiously.",
    "Time flies like an arrow; fruit flies like a banana.",
    "naïve\tcafé\nZoë",
    "\u00c0 la carte, d\u00e9j\u00e0 vu, pi\u00f1ata, jalape\u00f1o",
    "\u0110\u00f0\u00de\u00fe\u00c6\u00e6\u0152\u0153",
    "\u01c5 \u01c4 \u01c6 titlecase digraphs",
    "\u2160\u2161\u2162 roman numerals",
    "\u00aa\u00ba ordinal indicators",
    "\u02bcokina \u02bb glottal",
    "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f",
    "\u2010\u2011\u2012\u2013\u2014\u2015 dashes",
    "\u3001\u3002\u300c\u300d\u300e\u300f CJK punctuation",
    "\u2e3a\u2e3b two- and three-em dashes",
    "\u0589\u05be\u061f\u066a\u0964 script punctuation",
    "e" + "\u0301" + "\u0327",
    "\U0001d400\U0001d401 mathematical bold",
    "\u00b5 micro \u03bc mu",
    "\u212b \u2126 \u212a letterlike",
    "end with punctuation.",
    ".leading punctuation",
    "...",
    "!!!???",
]
# A long text of 10,000 characters: words, numbers, accents, CJK and punctuation.
TEXTS.append(("Caf\u00e9 au lait, 3.14 \u4e16\u754c! don't-stop; " * 300)[:10000])


def reference_tokenizer(vocab_path):  # Path -> transformers tokenizer
    """transformers' slow BERT tokenizer (BertTokenizerLegacy since v5, BertTokenizer before)."""
    try:
        from transformers.models.bert.tokenization_bert_legacy import BertTokenizerLegacy as slow
    except ImportError:
        from transformers import BertTokenizer as slow
    return slow(str(vocab_path), do_lower_case=True)


def main():
    """Tokenize TEXTS with the reference and write the JSON beside this script."""
    import transformers
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from model_files import model_dir
    folder = model_dir()
    if folder is None:
        sys.exit("No model files: set AE_MODEL_DIR (see tests/model_files.py).")
    vocab_path = folder / "vocab.txt"
    tokenizer = reference_tokenizer(vocab_path)
    entries = [{"text": text, "ids": tokenizer.encode(text)} for text in TEXTS]
    header = {"reference": f"{type(tokenizer).__name__}(vocab.txt, do_lower_case=True)",
              "transformers": transformers.__version__,
              "python": sys.version.split()[0],
              "vocab_sha256": hashlib.sha256(vocab_path.read_bytes()).hexdigest()}
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(_one_text_per_line(header, entries), encoding="utf-8")
    print(f"wrote {len(entries)} texts to {OUT}")


def _one_text_per_line(header, entries):
    """The JSON with one text per line, so a diff shows which texts changed."""
    fields = [f"{json.dumps(key)}: {json.dumps(value)}" for key, value in header.items()]
    texts = ",\n".join(json.dumps(entry, ensure_ascii=False) for entry in entries)
    return "{" + ", ".join(fields) + ', "texts": [\n' + texts + "\n]}\n"


if __name__ == "__main__":
    main()
