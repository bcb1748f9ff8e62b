#!/usr/bin/env python3
"""`npm run bench:gpu` on a machine with Python but no Node.js, Chromium, npm or network.

Reads the parts that `npm run bench:gpu:pack` wrote (`.cache/gpu-pack/part-NN/`, carried one per
call: they stay on the machine between calls while it is warm). While parts are missing it says
which and stops. Once all are there it checks every piece's SHA-256, joins and unpacks them
(once) into GPU_PACK_DIR (default /tmp/cmexam-gpu-pack), checks that the packed Chromium finds
every library it links against, and runs the bench from the pack with the arguments after `--`
(default: --questions 100 --wllama-questions 20), with the NVIDIA Vulkan driver named when the
environment does not name one (and said whether its library opens, and if not why), the
driver's library folders and EGL vendor file added where they exist, and the pack's glvnd used
where the machine has none. Figures go to $OUT/gpu-figures.json when OUT is set, chrome://gpu
as each flag set left it to $OUT/gpu-chrome.txt.

  python3 scripts/bench/gpu-device.py [--unpack-only] [-- <bench:gpu arguments>]

Python's standard library only: it is all such a machine is sure to have.
"""

import hashlib
import json
import lzma
import os
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PARTS = Path(os.environ.get("GPU_PACK_PARTS", ROOT / ".cache" / "gpu-pack"))
PACK = Path(os.environ.get("GPU_PACK_DIR", "/tmp/cmexam-gpu-pack"))
DEFAULT_ARGS = ["--questions", "100", "--wllama-questions", "20"]
NVIDIA_ICDS = [
    "/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json",
    "/usr/share/vulkan/icd.d/nvidia_icd.json",
    "/etc/vulkan/icd.d/nvidia_icd.json",
]
NVIDIA_EGL_VENDORS = [
    "/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json",
    "/usr/share/glvnd/egl_vendor.d/10_nvidia.json",
]
# Where the NVIDIA container runtime mounts the driver's libraries, the ICD's library among them.
NVIDIA_LIBRARY_DIRS = ["/usr/local/nvidia/lib64", "/usr/local/nvidia/lib"]


class PackError(Exception):
    pass


def read_manifest(parts_dir: Path) -> dict:
    manifests = sorted(parts_dir.glob("part-*/manifest.json"))
    if not manifests:
        raise PackError(
            f"no parts in {parts_dir}: carry .cache/gpu-pack/part-01 (npm run bench:gpu:pack makes them)"
        )
    manifest = json.loads(manifests[0].read_text())
    for other in manifests[1:]:
        if json.loads(other.read_text())["sha256"] != manifest["sha256"]:
            raise PackError(f"{other.parent.name} is from another pack than {manifests[0].parent.name}")
    return manifest


def missing_parts(parts_dir: Path, manifest: dict) -> list:
    return [p["part"] for p in manifest["parts"] if not (parts_dir / p["file"]).exists()]


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Joined:
    """The pieces read one after another as one file (for lzma, without a joined copy on disk)."""

    def __init__(self, files):
        self.files = list(files)
        self.current = None

    def read(self, n=-1):
        out = b""
        while n < 0 or len(out) < n:
            if self.current is None:
                if not self.files:
                    break
                self.current = open(self.files.pop(0), "rb")
            chunk = self.current.read(-1 if n < 0 else n - len(out))
            if not chunk:
                self.current.close()
                self.current = None
                continue
            out += chunk
        return out


def unpack(parts_dir: Path, manifest: dict, pack_dir: Path) -> None:
    done = pack_dir / ".unpacked"
    if done.exists() and done.read_text() == manifest["sha256"]:
        return
    files = []
    for p in manifest["parts"]:
        path = parts_dir / p["file"]
        if path.stat().st_size != p["bytes"] or sha256_of(path) != p["sha256"]:
            raise PackError(f"{p['file']} is damaged (size or SHA-256 differs): carry it again")
        files.append(path)
    pack_dir.mkdir(parents=True, exist_ok=True)
    with lzma.LZMAFile(Joined(files)) as xz, tarfile.open(fileobj=xz, mode="r|") as tar:
        for member in tar:
            target = (pack_dir / member.name).resolve()
            if pack_dir.resolve() not in target.parents and target != pack_dir.resolve():
                raise PackError(f"the pack names a path outside it: {member.name}")
            if hasattr(tarfile, "tar_filter"):
                tar.extract(member, pack_dir, filter="tar")
            else:
                tar.extract(member, pack_dir)
    done.write_text(manifest["sha256"])


LOAD_PROBE = """
import ctypes, sys
try:
    ctypes.CDLL(sys.argv[1])
    print("loaded")
except OSError as e:
    print("error: " + str(e))
"""


def load_error(library: str, env: dict):
    """Why the dynamic loader cannot open `library` with this environment, or None if it can."""
    r = subprocess.run(
        [sys.executable, "-c", LOAD_PROBE, library], env=env, capture_output=True, text=True
    )
    out = r.stdout.strip()
    if out == "loaded":
        return None
    if out.startswith("error: "):
        return out[len("error: ") :]
    # Python itself did not start with these libraries first on its path.
    return f"could not check ({(r.stderr.strip().splitlines() or ['no output'])[-1]})"


def icd_library(icd: str) -> str:
    """The driver library a Vulkan ICD file names, as the Vulkan loader would open it."""
    path = json.loads(Path(icd).read_text())["ICD"]["library_path"]
    if "/" in path and not os.path.isabs(path):
        path = str(Path(icd).parent / path)
    return path


def glvnd_missing(probe: str = "libGLdispatch.so.0") -> bool:
    """True where the machine has no glvnd (NVIDIA's Vulkan driver links libGLdispatch.so.0)."""
    env = {**os.environ, "LD_LIBRARY_PATH": ":".join(system_library_path())}
    return load_error(probe, env) is not None


def system_library_path() -> list:
    """The machine's LD_LIBRARY_PATH, with the NVIDIA driver's folders where they exist."""
    dirs = [d for d in os.environ.get("LD_LIBRARY_PATH", "").split(":") if d]
    return dirs + [d for d in NVIDIA_LIBRARY_DIRS if Path(d).is_dir() and d not in dirs]


def environment(pack_dir: Path, pack_glvnd: bool) -> dict:
    env = dict(os.environ)
    lib = [str(pack_dir / "lib"), str(pack_dir / "chromium")]
    gl = [str(pack_dir / "lib-gl")] if pack_glvnd else []
    env["LD_LIBRARY_PATH"] = ":".join(lib + system_library_path() + gl)
    env["CHROMIUM_PATH"] = str(pack_dir / "chromium" / "chromium")
    env["CMEXAM_SHARED"] = str(pack_dir / "shared" / "cmexam")
    env["WEBLLM_SHARED"] = str(pack_dir / "shared" / "webllm")
    env["PATH"] = f"{pack_dir / 'node'}:{env.get('PATH', '/usr/bin:/bin')}"
    fonts = pack_dir / "etc" / "fonts" / "fonts.conf"
    if fonts.exists():
        env.setdefault("FONTCONFIG_FILE", str(fonts))
    if not env.get("VK_ICD_FILENAMES") and not env.get("VK_DRIVER_FILES"):
        icd = next((f for f in NVIDIA_ICDS if Path(f).exists()), None)
        if icd:
            env["VK_ICD_FILENAMES"] = env["VK_DRIVER_FILES"] = icd
    if not env.get("__EGL_VENDOR_LIBRARY_FILENAMES"):
        vendor = next((f for f in NVIDIA_EGL_VENDORS if Path(f).exists()), None)
        if vendor:
            env["__EGL_VENDOR_LIBRARY_FILENAMES"] = vendor
    return env


def describe_driver(env: dict) -> str:
    """Which Vulkan driver is named, and whether its library opens here (and if not, why)."""
    named = env.get("VK_DRIVER_FILES") or env.get("VK_ICD_FILENAMES")
    if not named:
        return "not named (the loader searches)"
    icd = named.split(":")[0]
    try:
        library = icd_library(icd)
    except (OSError, ValueError, KeyError, TypeError) as err:
        return f"{icd}, which cannot be read as an ICD file ({err})"
    why = load_error(library, env)
    return f"{icd}: {library} " + (f"does not load here: {why}" if why else "loads")


def unresolved_libraries(pack_dir: Path, env: dict) -> list:
    """Libraries the packed Chromium links against that this machine cannot find."""
    out = subprocess.run(
        ["ldd", str(pack_dir / "chromium" / "chromium")], env=env, capture_output=True, text=True
    ).stdout
    return sorted({line.split()[0] for line in out.splitlines() if "not found" in line})


def main(argv: list) -> int:
    unpack_only = "--unpack-only" in argv
    bench_args = argv[argv.index("--") + 1 :] if "--" in argv else DEFAULT_ARGS
    try:
        manifest = read_manifest(PARTS)
        missing = missing_parts(PARTS, manifest)
        if missing:
            here = len(manifest["parts"]) - len(missing)
            print(
                f"{here} of {len(manifest['parts'])} parts here; still to carry: "
                + ", ".join(f"part-{n:02d}" for n in missing)
            )
            return 0
        unpack(PARTS, manifest, PACK)
    except PackError as err:
        print(f"gpu-device: {err}", file=sys.stderr)
        return 2
    pack_glvnd = glvnd_missing()
    env = environment(PACK, pack_glvnd)
    about = json.loads((PACK / "PACK.json").read_text())
    print(
        f"pack unpacked in {PACK} (made {about['made']}): Node.js {about['node']}, "
        f"{about['chromium']}, {len(about['libraries'])} libraries"
    )
    print(f"Vulkan driver: {describe_driver(env)}")
    glvnd = "the pack's (the machine has none)" if pack_glvnd else "the machine's"
    print(f"GL dispatch (glvnd): {glvnd}")
    lost = unresolved_libraries(PACK, env)
    if lost:
        print(f"gpu-device: the packed Chromium cannot find {', '.join(lost)} here", file=sys.stderr)
        return 2
    if unpack_only:
        return 0
    if os.environ.get("OUT") and "--out" not in bench_args:
        bench_args = [*bench_args, "--out", str(Path(os.environ["OUT"]) / "gpu-figures.json")]
    repo = PACK / "repo"
    command = [
        str(PACK / "node" / "node"),
        str(repo / "scripts" / "bench" / "gpu.mjs"),
        "--prebuilt",
        str(repo / "prebuilt"),
        "--tools",
        str(repo / "tools"),
        *bench_args,
    ]
    print("$ " + " ".join(command), flush=True)
    return subprocess.run(command, cwd=repo, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
