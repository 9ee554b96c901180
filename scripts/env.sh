# Sourced by the other scripts: the tools they need on PATH, the wasm-opt from npm first.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$root/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
cd "$root"
