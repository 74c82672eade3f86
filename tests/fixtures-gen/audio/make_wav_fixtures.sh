#!/usr/bin/env bash
# Makes the small WAV fixtures under tests/Nsmt.Audio.Tests/Fixtures/wav with sox (SoX v14.4.2),
# plus, for each, sox's own decoding of it as text (.dat: time, then one column per channel).
# The .dat files are the golden values our reader is tested against: they come from sox, not us.
# Run from anywhere: tests/fixtures-gen/audio/make_wav_fixtures.sh
set -euo pipefail
out="$(cd "$(dirname "$0")/../../Nsmt.Audio.Tests/Fixtures/wav" && pwd)"
cd "$out"
# -R: repeatable random numbers; -D: no dither, so the files do not depend on sox's RNG.
# The rate goes before -n so the synth runs at that rate (no resampling).
sx() { local rate=$1; shift; sox -R -D -r "$rate" -n "$@"; }
sx 8000 -c 1 -b 8 -e unsigned-integer pcm8_mono.wav synth 19s sine 440 vol 0.9
sx 8000 -c 2 -b 16 -e signed-integer pcm16_stereo.wav synth 16s sine 440 sine 1000 vol 0.9
sx 44100 -c 3 -b 24 -e signed-integer pcm24_3ch.wav synth 16s sine 440 sine 660 square 100 vol 0.9
sx 48000 -c 2 -b 32 -e signed-integer pcm32_stereo.wav synth 16s sine 440 sawtooth 300 vol 0.9
sx 16000 -c 2 -b 32 -e floating-point float32_stereo.wav synth 16s sine 440 sine 220 vol 0.9
sx 96000 -c 1 -b 64 -e floating-point float64_mono.wav synth 16s sine 3000 vol 0.9

# sox 14.4.2 writes no LIST chunk, so splice an odd-sized LIST/INFO chunk (with its pad byte)
# and a JUNK chunk in front of the data chunk of a sox-made file; readers must skip both.
sx 8000 -c 1 -b 16 -e signed-integer pcm16_extra_chunks.wav synth 15s sine 440 vol 0.5
/usr/bin/python3 - pcm16_extra_chunks.wav <<'PY'
import struct, sys
path = sys.argv[1]
raw = bytearray(open(path, "rb").read())
at = raw.index(b"data")
info = b"INFO" + b"ICMT" + struct.pack("<I", 5) + b"odd!\x00" + b"\x00"  # ICMT padded to even
list_chunk = b"LIST" + struct.pack("<I", len(info) - 1) + info              # LIST declared odd
junk = b"JUNK" + struct.pack("<I", 6) + bytes(6)
raw[at:at] = list_chunk + junk
struct.pack_into("<I", raw, 4, len(raw) - 8)
open(path, "wb").write(raw)
PY

for f in *.wav; do
    sox "$f" -t dat "${f%.wav}.dat"
done
